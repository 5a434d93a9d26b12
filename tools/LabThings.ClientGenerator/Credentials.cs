using System.Net.Http.Headers;
using System.Text;

namespace LabThings.ClientGenerator;

/// <summary>The command line's credentials as an <c>Authorization</c> header.</summary>
internal static class Credentials
{
    /// <summary>
    /// A Basic header for <paramref name="user"/> and <paramref name="password"/>, a Bearer header for
    /// <paramref name="token"/>, or null for neither; <paramref name="problem"/> says what is wrong with the combination.
    /// A token from the environment is ignored when a user is given (the options win over the environment).
    /// </summary>
    public static AuthenticationHeaderValue? Header(string? user, string? password, string? token, bool passwordGiven, bool tokenGiven, out string? problem)
    {
        problem = null;
        if (user is not null && tokenGiven)
        {
            problem = "Give --user (Basic) or --token (bearer), not both.";
            return null;
        }

        if (user is null)
        {
            if (passwordGiven)
            {
                problem = "--password needs --user.";
                return null;
            }

            return token is null ? null : new AuthenticationHeaderValue("Bearer", token);
        }

        if (password is null)
        {
            problem = $"No password for '{user}': give --password or set LABTHINGS_PASSWORD.";
            return null;
        }

        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
    }
}
