// Serves Blazor's client script at /_framework/blazor.web.js.
//
// WHY: .NET 10 ships blazor.web.js only in Microsoft.AspNetCore.App.Internal.Assets, which our NuGet registry lacks
// (every Blazor project fails restore with NU1101). The 9.0.22 runtime pack does restore, and its
// Microsoft.AspNetCore.Components.Endpoints.dll carries the 9.0 script as a manifest resource. The csproj embeds that
// dll (RequiresAspNetWebAssets=false + PackageDownload); here we read the script out of it once with
// System.Reflection.Metadata (nothing is loaded or executed) and serve it.
// Limits of the 9.0 script against a 10.0 server (see STACK.md): no @ondragover:preventDefault without a handler
// (use the DOM attribute), the 10.0 reconnect <dialog> never opens by itself, no InvokeConstructorAsync /
// GetValueAsync / SetValueAsync, no circuit pause/resume.
// DELETE this file, the csproj block and the MapBlazorScript call the day the registry has the 10.0 assets package.
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace RedisPanel.Web.Framework;

internal static class BlazorScript
{
    private const string CarrierResource = "BlazorScript.Components.Endpoints.9.0.22.dll";
    private const string ScriptResource = "_framework/blazor.web.js";

    private static readonly Lazy<byte[]> Script = new(ReadScript);

    /// <summary>Maps GET /_framework/blazor.web.js to the 9.0.22 script (cached by the browser for a day).</summary>
    public static void MapBlazorScript(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/" + ScriptResource, (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=86400";
            return Results.Bytes(Script.Value, "text/javascript");
        }).ExcludeFromDescription();

    private static byte[] ReadScript()
    {
        using var carrier = typeof(BlazorScript).Assembly.GetManifestResourceStream(CarrierResource)
            ?? throw new InvalidOperationException($"embedded resource {CarrierResource} is missing (see RedisPanel.Web.csproj)");
        using var pe = new PEReader(carrier);
        var md = pe.GetMetadataReader();
        var resources = pe.PEHeaders.CorHeader!.ResourcesDirectory;
        foreach (var handle in md.ManifestResources)
        {
            var res = md.GetManifestResource(handle);
            if (!md.StringComparer.Equals(res.Name, ScriptResource)) continue;
            // An embedded resource lives in the CLI resources blob at res.Offset: a 4-byte length, then the bytes.
            var blob = pe.GetSectionData(resources.RelativeVirtualAddress).GetReader((int)res.Offset, resources.Size - (int)res.Offset);
            int length = blob.ReadInt32();
            return blob.ReadBytes(length);
        }
        throw new InvalidOperationException($"{ScriptResource} not found in {CarrierResource}");
    }
}
