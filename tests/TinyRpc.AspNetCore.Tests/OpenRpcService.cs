using System.Text.Json.Serialization;
using TinyRpc.Exceptions;

namespace TinyRpc.AspNetCore.Tests;

/// <summary>A folder tree: a type that contains itself.</summary>
public sealed class Folder
{
    /// <summary>The folder's name.</summary>
    public required string Name { get; init; }

    public List<Folder> Children { get; init; } = [];

    public Folder? Parent { get; set; }
}

public sealed record Book(
    [property: JsonPropertyName("book_id")] int Id,
    string Title,
    decimal? Price,
    Dictionary<string, string> Tags,
    Genre Genre,
    Format Format);

[JsonConverter(typeof(JsonStringEnumConverter<Genre>))]
public enum Genre { Fiction, Poetry }

public enum Format { Paper = 1, Ebook = 2 }

/// <summary>A code and message fixed by the class: the document lists them.</summary>
public sealed class SoldOutException() : RpcException(4001, "Sold out");

[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase)]
public interface ILibraryLog
{
    /// <summary>Writes a line to the log; answers nothing.</summary>
    [Public, OneWay]
    void Log(string line);
}

/// <summary>The library: the service whose document the tests check with an independent validator.</summary>
[RpcService(NamingPolicy = RpcNamingPolicy.SnakeCase, TrimAsyncSuffix = true)]
public sealed partial class LibraryService : ILibraryLog
{
    private readonly TaskCompletionSource<string> _logged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<string> Logged => _logged.Task;

    /// <summary>Finds books whose title contains <paramref name="text"/>.</summary>
    /// <param name="text">Part of a title.</param>
    /// <param name="maxCount">At most this many.</param>
    /// <returns>The books found.</returns>
    [Public]
    public Task<List<Book>> FindBooksAsync(string text, [RpcName("limit")] int maxCount = 10, Genre? genre = null)
        => Task.FromResult(new List<Book>
        {
            new(1, text + " and more", 9.5m, new() { ["shelf"] = "A" }, genre ?? Genre.Fiction, Format.Paper),
            new(2, "More " + text, null, [], Genre.Poetry, Format.Ebook),
        }.Take(maxCount).ToList());

    /// <summary>Buys a book.</summary>
    /// <exception cref="SoldOutException">None left.</exception>
    [Public("buy")]
    public void Buy(int bookId, Format format = Format.Paper)
    {
        if (bookId == 0)
        {
            throw new SoldOutException();
        }
    }

    [Public]
    public Folder Folders() => new()
    {
        Name = "root",
        Children = [new Folder { Name = "poems" }, new Folder { Name = "novels", Children = [new Folder { Name = "old" }] }],
    };

    [Public]
    public Dictionary<string, Book?> ByTag(HashSet<string> tags, params string[] more) => new() { ["none"] = null };

    /// <inheritdoc/>
    public void Log(string line) => _logged.TrySetResult(line);
}
