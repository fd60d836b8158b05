using TinyRpc.Exceptions;

namespace TinyRpc.AspNetCore.Tests.Explorer;

/// <summary>A record parameter: its OpenRPC schema is a component the document references.</summary>
public sealed record Customer(string Name, int Age);

/// <summary>The methods the explorer's contract describes: by position, a record with a default, and an RPC error.</summary>
[RpcService]
public sealed partial class ShopService
{
    public const int InsufficientFunds = 1001;

    private decimal _balance = 10m;

    [Public("add")]
    public int Add(int a, int b) => a + b;

    /// <summary>Beyond 2^53, where a JavaScript number would lose the last digit.</summary>
    [Public("next")]
    public long Next(long value) => value + 1;

    [Public("greet")]
    public string Greet(Customer customer, string greeting = "Hello") => $"{greeting}, {customer.Name} ({customer.Age})!";

    [Public("withdraw")]
    public decimal Withdraw(decimal amount)
    {
        if (amount > _balance)
        {
            throw new RpcException(InsufficientFunds, "Insufficient funds", $"balance {_balance}");
        }

        _balance -= amount;
        return _balance;
    }
}

/// <summary>Named parameters, as a Python peer names them, under a prefix.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
public sealed partial class AccountService
{
    [Public]
    public string Rename(int accountId, string newName) => $"account {accountId} is now {newName}";
}
