namespace TinyRpc.Exceptions;

/// <summary>
/// The parameters do not fit the method (tinyrpc's <c>InvalidParamsError</c>): wrong count, unknown or
/// missing names, or a value of the wrong type. The message names the parameter and the problem.
/// </summary>
public class InvalidParamsException : RpcException
{
    /// <summary>Creates the error with a message that names the parameter and the problem.</summary>
    public InvalidParamsException(string message)
        : base(RpcErrorCodes.InvalidParams, message)
    {
    }

    /// <summary>Creates the error for one parameter.</summary>
    public InvalidParamsException(string parameterName, string problem, Exception? innerException = null)
        : base(RpcErrorCodes.InvalidParams, $"Invalid params: parameter '{parameterName}' {problem}", null, innerException)
    {
        ParameterName = parameterName;
    }

    /// <summary>The offending parameter, when one is to blame.</summary>
    public string? ParameterName { get; }
}
