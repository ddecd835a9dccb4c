// The dashboard's door lock. On loopback only, the dashboard is open (like redis-server's protected mode, which
// trusts the loopback interface). Listening on any other address, every request (pages, /_blazor, the topology hub,
// static files) needs the access token once: ?token= sets an HttpOnly cookie, or send Authorization: Bearer.
// Without a configured Dashboard:AccessToken one is generated and logged with the URL at startup, as Jupyter does.
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Framework;

public sealed partial class AccessTokenGate
{
    public const string CookieName = "redispanel-token";

    private readonly IServer _server;
    private readonly ILogger _logger;
    private readonly byte[] _token;
    private int _required = -1; // -1 undecided, 0 open, 1 token required

    public AccessTokenGate(IOptions<DashboardOptions> options, IServer server, ILogger<AccessTokenGate> logger)
    {
        _server = server;
        _logger = logger;
        Token = options.Value.AccessToken is { Length: > 0 } configured ? configured : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _token = Encoding.UTF8.GetBytes(Token);
    }

    /// <summary>The configured token, or the one generated at startup.</summary>
    public string Token { get; }

    /// <summary>True when the app listens on a non-loopback address (decided once the server is bound).</summary>
    public bool Required
    {
        get
        {
            int r = Volatile.Read(ref _required);
            if (r >= 0) return r == 1;
            var addresses = _server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            // Not bound yet (no addresses): stay closed, and decide again on the next request.
            if (addresses.Count == 0) return true;
            bool required = addresses.Any(a => !IsLoopback(a));
            Volatile.Write(ref _required, required ? 1 : 0);
            return required;
        }
    }

    /// <summary>Logs the URLs with the token when one is required (at application start).</summary>
    public void Announce()
    {
        if (!Required) return;
        foreach (var address in _server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
            Log.TokenRequired(_logger, $"{address.TrimEnd('/')}/?token={Token}");
    }

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!Required) return next(context);
        var request = context.Request;
        if (Matches(request.Query["token"]))
        {
            context.Response.Cookies.Append(CookieName, Token, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = request.IsHttps,
                Path = "/",
            });
            return next(context);
        }
        string auth = request.Headers.Authorization.ToString();
        if (auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && Matches(auth["Bearer ".Length..].Trim())) return next(context);
        // SignalR clients put the bearer token in the query for WebSockets (browsers cannot set the header there).
        if (Matches(request.Query["access_token"])) return next(context);
        if (Matches(request.Cookies[CookieName])) return next(context);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("RedisPanel: this dashboard needs its access token. Open it with ?token=<token> (printed in the log at startup), or send Authorization: Bearer <token>.\n");
    }

    private bool Matches(string? candidate) =>
        candidate is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token);

    private static bool IsLoopback(string address)
    {
        string host;
        try
        {
            host = BindingAddress.Parse(address).Host;
        }
        catch (FormatException)
        {
            return false;
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "The dashboard listens beyond loopback and needs its access token: {Url}")]
        public static partial void TokenRequired(ILogger logger, string url);
    }
}
