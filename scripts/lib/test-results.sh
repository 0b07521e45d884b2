# shellcheck shell=bash
# Sourced by the test scripts: the runners' result files are read by tools/Users.ResultCheck, never their console.
#   test_results summary PATH...                   totals over the result files (TRX, JUnit, terraform test -json)
#   test_results check PATH... [--min CLASS=N]...  fails unless the run completed with no failed or skipped test and
#                                                  at least N passed tests in each CLASS (a filtered run's guard)
test_results() {
  dotnet run --project tools/Users.ResultCheck -c Release -v quiet -- "$@"
}
