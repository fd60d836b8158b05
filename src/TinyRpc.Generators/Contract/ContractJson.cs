using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using TinyRpc.Generators.Model;

namespace TinyRpc.Generators.Contract;

/// <summary>
/// Writes a contract snapshot (<c>*.rpc-contract.json</c>): one JSON document, services sorted by name, each method
/// on a line of its own so that a change to the contract is a change of few lines in a diff. The same input always
/// gives the same bytes (<c>\n</c> line ends, a final line end), whichever machine writes it.
/// </summary>
internal static class ContractJson
{
    /// <summary>The value of <c>"tinyrpcContract"</c>: the version of this format.</summary>
    public const int FormatVersion = 1;

    /// <summary>How a snapshot file's name ends.</summary>
    public const string FileSuffix = ".rpc-contract.json";

    /// <summary>The snapshot of <paramref name="services"/>, in any order.</summary>
    public static string Write(IEnumerable<ContractServiceSpec> services)
    {
        var text = new StringBuilder();
        text.Append("{\n  \"tinyrpcContract\": ").Append(FormatVersion.ToString(CultureInfo.InvariantCulture)).Append(",\n  \"services\": [");
        bool firstService = true;
        foreach (ContractServiceSpec service in services.OrderBy(static s => s.Name, System.StringComparer.Ordinal))
        {
            text.Append(firstService ? "\n" : ",\n");
            firstService = false;
            text.Append("    {\n      \"name\": ");
            AppendString(text, service.Name);
            text.Append(",\n      \"methods\": [");
            for (int i = 0; i < service.Methods.Count; i++)
            {
                text.Append(i == 0 ? "\n        " : ",\n        ").Append(WriteMethod(service.Methods[i]));
            }

            text.Append(service.Methods.Count == 0 ? "]\n    }" : "\n      ]\n    }");
        }

        text.Append(firstService ? "]\n}\n" : "\n  ]\n}\n");
        return text.ToString();
    }

    /// <summary>One method as one line: <c>{"name": "add", "parameters": [...], "result": "int"}</c>.</summary>
    public static string WriteMethod(ContractMethodSpec method)
    {
        var text = new StringBuilder("{\"name\": ");
        AppendString(text, method.Name);
        if (method.OneWay)
        {
            text.Append(", \"oneWay\": true");
        }

        text.Append(", \"parameters\": [");
        for (int i = 0; i < method.Parameters.Count; i++)
        {
            ContractParameterSpec parameter = method.Parameters[i];
            text.Append(i == 0 ? "{\"name\": " : ", {\"name\": ");
            AppendString(text, parameter.Name);
            text.Append(", \"type\": ");
            AppendString(text, parameter.Type);
            if (parameter.Optional)
            {
                text.Append(", \"optional\": true");
            }

            if (parameter.IsParams)
            {
                text.Append(", \"params\": true");
            }

            text.Append('}');
        }

        text.Append("], \"result\": ");
        if (method.Result is null)
        {
            text.Append("null");
        }
        else
        {
            AppendString(text, method.Result);
        }

        return text.Append('}').ToString();
    }

    // Everything outside printable ASCII is escaped: the file reads the same in any encoding, and a lone
    // surrogate (which UTF-8 cannot hold) survives.
    private static void AppendString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                default:
                    if (c < ' ' || c > '~')
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        text.Append('"');
    }
}
