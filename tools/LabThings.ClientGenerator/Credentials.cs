using System.Net.Http.Headers;
using LabThings.Client;

namespace LabThings.ClientGenerator;

/// <summary>The command line's credentials as an <c>Authorization</c> header (built by <see cref="ThingCredentials"/>).</summary>
internal static class Credentials
{
    /// <summary>
    /// A Basic header for <paramref name="user"/> and <paramref name="password"/>, a Bearer header for
    /// <paramref name="token"/>, or null for neither; <paramref name="problem"/> says what is wrong with the combination.
    /// A token from the environment is ignored when a user is given (the options win over the environment).
    /// </summary>
    public static AuthenticationHeaderValue? Header(string? user, string? password, string? token, bool passwordGiven, bool tokenGiven, out string? problem)
    {
        problem = user is not null && tokenGiven ? "Give --user (Basic) or --token (bearer), not both."
            : user is null && passwordGiven ? "--password needs --user."
            : user is not null && password is null ? $"No password for '{user}': give --password or set LABTHINGS_PASSWORD."
            : null;
        if (problem is not null)
        {
            return null;
        }

        try
        {
            return user is not null ? ThingCredentials.Basic(user, password!).AuthorizationHeader
                : token is not null ? ThingCredentials.Bearer(token).AuthorizationHeader
                : null;
        }
        catch (ArgumentException e)
        {
            problem = e.Message;
            return null;
        }
    }
}
