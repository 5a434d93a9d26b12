using LabThings.Outputs;
using LabThings.Server.Actions;
using LabThings.Server.Hosting;
using LabThings.Server.Observation;
using LabThings.Server.Security;
using Microsoft.Extensions.Hosting;

namespace LabThings.Server.Endpoints;

/// <summary>The server's parts the endpoint handlers use, resolved once when the endpoints are mapped.</summary>
internal sealed record EndpointServices(
    ThingHost Host,
    LabThingsOptions Options,
    IHostApplicationLifetime Lifetime,
    InvocationManager Invocations,
    BlobStore Blobs,
    ObservationHub Hub,
    SecurityPolicy Security,
    GlobalLock GlobalLock,
    StreamSendLimiter? StreamSends);
