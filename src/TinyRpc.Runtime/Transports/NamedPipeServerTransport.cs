using System.IO.Pipes;

namespace TinyRpc.Transports;

/// <summary>A server transport that serves framed messages on a named pipe, one pipe instance per client.</summary>
/// <remarks>
/// Who may connect is decided by the operating system. On Windows, the pipe's default access rules apply. On Linux
/// and macOS, .NET makes a named pipe a Unix domain socket file (<c>CoreFxPipe_</c> and the name, in the temporary
/// folder); connecting takes write permission on it, and its permissions follow the process's umask (with the usual
/// 022, only its owner, and root, may connect). <see cref="CurrentUserOnly"/> adds a check of the client's user.
/// </remarks>
public sealed class NamedPipeServerTransport : ConnectionServerTransport
{
    private readonly string _pipeName;

    /// <summary>Serves on the pipe <paramref name="pipeName"/>.</summary>
    public NamedPipeServerTransport(string pipeName, MessageFraming framing = MessageFraming.ContentLength, int maxMessageSize = FramedConnection.DefaultMaxMessageSize)
        : base(framing, maxMessageSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipeName);
        _pipeName = pipeName;
    }

    /// <summary>
    /// Whether only processes of the user running this server may connect (<see cref="PipeOptions.CurrentUserOnly"/>;
    /// false by default). On Windows the pipe is then open to this user alone; on Linux and macOS the server checks the
    /// user of each client as it connects and closes the connection of any other (root included), whatever the socket
    /// file's permissions, and goes on accepting. Applies to the pipe instances made after it is set: set it before serving.
    /// </summary>
    public bool CurrentUserOnly { get; set; }

    /// <inheritdoc/>
    protected override async Task<Stream?> AcceptAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            PipeOptions options = CurrentUserOnly ? PipeOptions.Asynchronous | PipeOptions.CurrentUserOnly : PipeOptions.Asynchronous;
            var pipe = new NamedPipeServerStream(_pipeName, PipeDirection.InOut, NamedPipeServerStream.MaxAllowedServerInstances,
                PipeTransmissionMode.Byte, options);
            try
            {
                await pipe.WaitForConnectionAsync(cancellationToken).ConfigureAwait(false);
                return pipe;
            }
            catch (UnauthorizedAccessException)
            {
                // A client of another user, refused by CurrentUserOnly: closed, and the next one is awaited.
                await pipe.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await pipe.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <inheritdoc/>
    protected override void StopListening()
    {
    }
}
