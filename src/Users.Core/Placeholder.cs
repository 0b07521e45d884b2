namespace Users.Core; public static class Placeholder;
