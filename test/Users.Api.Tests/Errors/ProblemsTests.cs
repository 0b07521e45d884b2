using Microsoft.AspNetCore.Mvc;
using Users.Functions.Errors;

namespace Users.Api.Tests.Errors;

/// <summary>Every problem the API answers has all four members, whatever status produced it.</summary>
public class ProblemsTests
{
    [Fact]
    public void A_known_status_gets_the_apis_type_title_and_detail()
    {
        var problem = new ProblemDetails { Status = 404 };

        Problems.Complete(problem);

        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.5", problem.Type);
        Assert.Equal("Not Found", problem.Title);
        Assert.Equal("No resource at this path. The API serves GET /users and POST /user.", problem.Detail);
    }

    [Fact]
    public void What_the_problem_already_says_is_kept()
    {
        var problem = new ProblemDetails { Status = 409, Detail = "A user with this email already exists.", Title = "Conflict", Type = "https://example.com/duplicate" };

        Problems.Complete(problem);

        Assert.Equal(("https://example.com/duplicate", "Conflict", "A user with this email already exists."), (problem.Type, problem.Title, problem.Detail));
    }

    [Fact]
    public void A_problem_without_a_status_is_a_500()
    {
        var problem = new ProblemDetails();

        Problems.Complete(problem);

        Assert.Equal(500, problem.Status);
        Assert.Equal("Internal Server Error", problem.Title);
        Assert.Equal("An unexpected error occurred.", problem.Detail);
    }

    [Theory]
    [InlineData(418, "I'm a teapot")]
    [InlineData(431, "Request Header Fields Too Large")]
    [InlineData(599, "HTTP 599")]
    public void A_status_the_api_has_no_words_for_gets_its_reason_phrase_and_about_blank(int status, string phrase)
    {
        var problem = new ProblemDetails { Status = status };

        Problems.Complete(problem);

        Assert.Equal("about:blank", problem.Type);
        Assert.Equal(phrase, problem.Title);
        Assert.Equal(phrase, problem.Detail);
    }

    [Fact]
    public void Status_builds_a_problem_result_with_the_apis_title_and_type()
    {
        var result = Problems.Status(503, "DynamoDB is unavailable.");

        Assert.Equal(503, result.StatusCode);
        Assert.Equal("Service Unavailable", result.ProblemDetails.Title);
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.6.4", result.ProblemDetails.Type);
        Assert.Equal("DynamoDB is unavailable.", result.ProblemDetails.Detail);
    }

    [Fact]
    public void Validation_names_the_field_and_points_to_errors()
    {
        var result = Problems.Validation("email", "The email address is not valid.");

        Assert.Equal(400, result.StatusCode);
        Assert.Equal(Problems.ValidationDetail, result.ProblemDetails.Detail);
        Assert.Equal(["The email address is not valid."], result.ProblemDetails.Errors["email"]);
    }
}
