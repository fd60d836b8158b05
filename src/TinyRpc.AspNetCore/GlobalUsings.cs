global using TinyRpc.Transports;
