using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.ExceptionServices;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;

namespace TinyRpc.Dispatch;

/// <summary>
/// The fallback behind <see cref="RpcDispatcher.AddMethod(Delegate, string?)"/> when the source generator has
/// not replaced the call: parameters read through reflection, arguments decoded by their declared type, the
/// delegate invoked dynamically. Not available under NativeAOT; the generated invoker is.
/// </summary>
[RequiresUnreferencedCode("Invokes delegates through reflection.")]
[RequiresDynamicCode("Invokes delegates through reflection.")]
internal static class ReflectionMethod
{
    private static readonly MethodInfo s_decode = typeof(ReflectionMethod).GetMethod(nameof(Decode), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo s_respond = typeof(ReflectionMethod).GetMethod(nameof(Respond), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static RpcMethod Create(Delegate method, string? name)
    {
        MethodInfo info = method.Method;
        ParameterInfo[] all = info.GetParameters();
        var parameters = all
            .Where(static p => p.ParameterType != typeof(CancellationToken))
            .Select(static p => new RpcParameter(WireName(p), p.ParameterType, p.HasDefaultValue,
                p.GetCustomAttribute<ParamArrayAttribute>() is not null))
            .ToArray();
        if (GetWireNameProblem(parameters) is { } problem)
        {
            throw new ArgumentException(problem, nameof(method));
        }
        string publicName = name ?? (info.Name.Contains('<', StringComparison.Ordinal)
            ? throw new ArgumentException("A lambda needs a name.", nameof(name))
            : info.Name);

        return new RpcMethod(publicName, parameters, async (request, ct) =>
        {
            object?[] args = new object?[all.Length];
            RpcArguments arguments = request.Arguments;
            int position = 0;
            for (int i = 0; i < all.Length; i++)
            {
                ParameterInfo p = all[i];
                if (p.ParameterType == typeof(CancellationToken))
                {
                    args[i] = ct;
                    continue;
                }

                args[i] = ReadArgument(arguments, p, position++);
            }

            object? result;
            try
            {
                result = method.DynamicInvoke(args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }

            (Type resultType, result) = await UnwrapAsync(info.ReturnType, result).ConfigureAwait(false);
            if (resultType == typeof(void))
            {
                return request.Respond();
            }

            return (RpcResponse?)s_respond.MakeGenericMethod(resultType).Invoke(null, [request, result]);
        });
    }

    // As in generated tables: [RpcName] when the parameter has one, else its own name (a delegate has no naming policy).
    private static string WireName(ParameterInfo p)
        => p.GetCustomAttribute<RpcNameAttribute>()?.Name ?? p.Name ?? "arg" + p.Position.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string? GetWireNameProblem(RpcParameter[] parameters)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (RpcParameter p in parameters)
        {
            if (Shared.RpcNames.GetParameterNameProblem(p.Name) is { } problem)
            {
                return $"The wire name '{p.Name}' of a parameter is not valid: {problem}.";
            }

            if (!seen.Add(p.Name))
            {
                return $"Two parameters have the wire name '{p.Name}'; give one of them another name with [RpcName].";
            }
        }

        return null;
    }

    private static object? ReadArgument(RpcArguments arguments, ParameterInfo p, int position)
    {
        string name = WireName(p);
        bool isParams = p.GetCustomAttribute<ParamArrayAttribute>() is not null;
        if (isParams && !arguments.IsNamed)
        {
            Type element = p.ParameterType.GetElementType()!;
            int count = Math.Max(0, arguments.Count - position);
            var array = Array.CreateInstance(element, count);
            for (int j = 0; j < count; j++)
            {
                array.SetValue(Invoke(element, arguments, position + j, name), j);
            }

            return array;
        }

        object?[] call = [arguments, position, name, null];
        bool found = (bool)s_decode.MakeGenericMethod(p.ParameterType).Invoke(null, call)!;
        if (found)
        {
            return call[3];
        }

        if (p.HasDefaultValue)
        {
            return p.DefaultValue;
        }

        throw new InvalidParamsException(name, "is missing");
    }

    private static object? Invoke(Type type, RpcArguments arguments, int index, string name)
    {
        object?[] call = [arguments, index, name, null];
        s_decode.MakeGenericMethod(type).Invoke(null, call);
        return call[3];
    }

    private static bool Decode<T>(RpcArguments arguments, int index, string name, out T value)
        => arguments.TryGet(index, name, arguments.IsNamed, out value);

    private static RpcResponse? Respond<T>(RpcRequest request, T value) => request.Respond(value);

    private static async Task<(Type, object?)> UnwrapAsync(Type returnType, object? result)
    {
        if (result is Task task)
        {
            await task.ConfigureAwait(false);
            if (returnType.IsGenericType)
            {
                Type t = returnType.GetGenericArguments()[0];
                return (t, returnType.GetProperty("Result")!.GetValue(task));
            }

            return (typeof(void), null);
        }

        if (returnType == typeof(ValueTask))
        {
            await ((ValueTask)result!).ConfigureAwait(false);
            return (typeof(void), null);
        }

        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            Task asTask = (Task)returnType.GetMethod("AsTask")!.Invoke(result, null)!;
            await asTask.ConfigureAwait(false);
            return (returnType.GetGenericArguments()[0], asTask.GetType().GetProperty("Result")!.GetValue(asTask));
        }

        return (returnType, result);
    }
}
