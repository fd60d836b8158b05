using System.Net.WebSockets;
using System.Text.Json;
using TinyRpc.Dispatch;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Transports;

namespace TinyRpc.AspNetCore.Tests.Explorer;

/// <summary>
/// The explorer in a real browser: headless Chromium loads the page from Kestrel, a person's keyboard and mouse
/// are played through the DevTools protocol, and the calls reach the real <c>MapTinyRpc</c> endpoint. A screenshot
/// of the page at the end of each test is saved in the output folder, under <c>artifacts/explorer</c>.
/// </summary>
public sealed class ExplorerBrowserTests
{
    private static string Method(string name) => $"section[data-method={HeadlessChromium.Js(name)}]";

    [Fact]
    public async Task Lists_the_contract_and_calls_its_methods()
    {
        await using KestrelHost host = await ExplorerHost.StartAsync(ExplorerHost.ShopDocument);
        await using HeadlessChromium browser = await HeadlessChromium.StartAsync();
        await WithScreenshotAsync(browser, "contract-and-calls", async () =>
        {
            await browser.NavigateAsync(host.Http("/rpc/explorer"));
            await browser.WaitForAsync("document.querySelectorAll('section[data-method]').length === 5");

            Assert.Equal("Shop", await browser.TextAsync("h1"));
            Assert.Equal("Shop — RPC explorer", (await browser.EvaluateAsync("document.title")).GetString());
            Assert.Equal("A small shop: sums, greetings for customers and a till that refuses to go below zero.", await browser.TextAsync("#description"));
            Assert.Equal(["shop", "accounts"], Strings(await browser.EvaluateAsync("[...document.querySelectorAll('section[data-service] > h2')].map(h => h.textContent)")));
            Assert.Equal(["add", "next", "greet", "withdraw", "accounts.rename"], Strings(await browser.EvaluateAsync("[...document.querySelectorAll('section[data-method] h3')].map(h => h.textContent)")));

            string greet = await browser.TextAsync(Method("greet"));
            Assert.Contains("Greets a customer.", greet, StringComparison.Ordinal);
            Assert.Contains("customer (required)", greet, StringComparison.Ordinal);
            Assert.Contains("Customer (object { Name: string, Age: integer (int32) })", greet, StringComparison.Ordinal);
            Assert.Contains("greeting (optional)", greet, StringComparison.Ordinal);
            Assert.Contains("Said before the name.", greet, StringComparison.Ordinal);
            Assert.Contains("#/components/schemas/Customer:", greet, StringComparison.Ordinal);
            Assert.Contains("1001 Insufficient funds", await browser.TextAsync(Method("withdraw")), StringComparison.Ordinal);
            Assert.Contains("Sent by position.", await browser.TextAsync(Method("add")), StringComparison.Ordinal);

            // Every field has a label, and the method list links to each method.
            Assert.True((await browser.EvaluateAsync("[...document.querySelectorAll('input, textarea')].every(i => i.labels.length > 0)")).GetBoolean());
            Assert.Equal(5, (await browser.EvaluateAsync("document.querySelectorAll('nav a[href^=\"#method-\"]').length")).GetInt32());
            await browser.ClickAsync("nav a[href='#method-3']");
            await browser.WaitForAsync("document.activeElement === document.querySelector('#method-3 h3')");
            Assert.Equal("withdraw", (await browser.EvaluateAsync("document.activeElement.textContent")).GetString());

            // add, from the keyboard: the example's values are there; type over them and press Enter on the button.
            Assert.Equal("2", (await browser.EvaluateAsync($"document.querySelector('{Method("add")} [name=a]').value")).GetString());
            await browser.FillAsync($"{Method("add")} [name=a]", "40");
            await browser.FillAsync($"{Method("add")} [name=b]", "2");
            await browser.FocusAsync($"{Method("add")} button[type=submit]");
            await browser.PressEnterAsync();
            (JsonElement request, string reply) = await OutcomeAsync(browser, "add", "Result: 42");
            Assert.Equal("[40,2]", Compact(request.GetProperty("params")));
            Assert.StartsWith("HTTP 200", reply, StringComparison.Ordinal);
            Assert.Contains("\"result\": 42", reply, StringComparison.Ordinal);

            // next: numbers go to the server and come back exactly as written, past what a JavaScript number holds.
            await browser.FillAsync($"{Method("next")} [name=value]", "9007199254740993");
            await browser.ClickAsync($"{Method("next")} button[type=submit]");
            (request, reply) = await OutcomeAsync(browser, "next", "Result: 9007199254740994");
            Assert.Equal("""{"value":9007199254740993}""", Compact(request.GetProperty("params")));
            Assert.Contains("\"result\": 9007199254740994", reply, StringComparison.Ordinal);

            // greet, with the mouse: a record by name, then by position with the optional string left out.
            await browser.FillAsync($"{Method("greet")} [name=customer]", """{"Name":"Ada","Age":36}""");
            await browser.FillAsync($"{Method("greet")} [name=greeting]", "Welcome");
            await browser.ClickAsync($"{Method("greet")} button[type=submit]");
            (request, _) = await OutcomeAsync(browser, "greet", "Result: \"Welcome, Ada (36)!\"");
            Assert.Equal("""{"customer":{"Name":"Ada","Age":36},"greeting":"Welcome"}""", Compact(request.GetProperty("params")));

            await browser.FillAsync($"{Method("greet")} [name=greeting]", "");
            await browser.ClickAsync($"{Method("greet")} input[value=by-position]");
            await browser.ClickAsync($"{Method("greet")} button[type=submit]");
            (request, _) = await OutcomeAsync(browser, "greet", "Result: \"Hello, Ada (36)!\"");
            Assert.Equal("""[{"Name":"Ada","Age":36}]""", Compact(request.GetProperty("params")));

            // withdraw: the server's RPC error, with its code, message and data.
            await browser.FillAsync($"{Method("withdraw")} [name=amount]", "25");
            await browser.ClickAsync($"{Method("withdraw")} button[type=submit]");
            (_, reply) = await OutcomeAsync(browser, "withdraw", "Error 1001: Insufficient funds");
            Assert.Contains("\"data\": \"balance 10\"", reply, StringComparison.Ordinal);
            Assert.Equal("outcome error", (await browser.EvaluateAsync($"document.querySelector('{Method("withdraw")} .outcome').className")).GetString());

            // accounts.rename: named parameters under a prefix.
            await browser.FillAsync($"{Method("accounts.rename")} [name=account_id]", "7");
            await browser.FillAsync($"{Method("accounts.rename")} [name=new_name]", "Savings");
            await browser.FocusAsync($"{Method("accounts.rename")} button[type=submit]");
            await browser.PressEnterAsync();
            (request, _) = await OutcomeAsync(browser, "accounts.rename", "Result: \"account 7 is now Savings\"");
            Assert.Equal("""{"account_id":7,"new_name":"Savings"}""", Compact(request.GetProperty("params")));

            // A field that is not JSON is not sent: the message names it and the focus goes back to it.
            await browser.FillAsync($"{Method("add")} [name=a]", "4x");
            await browser.ClickAsync($"{Method("add")} button[type=submit]");
            await browser.WaitForAsync($"document.querySelector('{Method("add")} .outcome').textContent.startsWith('Not sent: a is not valid JSON')");
            Assert.True((await browser.EvaluateAsync($"document.activeElement === document.querySelector('{Method("add")} [name=a]')")).GetBoolean());
            Assert.Equal("true", (await browser.EvaluateAsync($"document.querySelector('{Method("add")} [name=a]').getAttribute('aria-invalid')")).GetString());

            Assert.Equal("polite", (await browser.EvaluateAsync($"document.querySelector('{Method("add")} .outcome').getAttribute('aria-live')")).GetString());
            Assert.Empty(browser.Problems);
        });
    }

    [Fact]
    public async Task Reads_the_generated_document_of_a_service_and_calls_its_methods()
    {
        // Nothing hand-written: the document is the one the generator wrote for ShippingDesk, joined by the
        // dispatcher under the registration prefix and served by MapTinyRpc beside the endpoint.
        var desk = new ShippingDesk();
        await using KestrelHost host = await KestrelHost.StartAsync(app =>
        {
            var dispatcher = new RpcDispatcher();
            dispatcher.RegisterInstance(desk, "desk.");
            app.MapTinyRpc("/rpc", dispatcher, new JsonRpcProtocol(), new RpcHttpOptions { ServeOpenRpcDocument = true });
            app.MapTinyRpcExplorer("/rpc/explorer", "/rpc");
        });
        await using HeadlessChromium browser = await HeadlessChromium.StartAsync();
        await WithScreenshotAsync(browser, "generated-document", async () =>
        {
            await browser.NavigateAsync(host.Http("/rpc/explorer"));
            await browser.WaitForAsync("document.querySelectorAll('section[data-method]').length === 4");

            Assert.Equal(["desk"], Strings(await browser.EvaluateAsync("[...document.querySelectorAll('section[data-service] > h2')].map(h => h.textContent)")));
            Assert.Equal(["desk.label", "desk.note", "desk.ship", "desk.total_weight"],
                Strings(await browser.EvaluateAsync("[...document.querySelectorAll('section[data-method] h3')].map(h => h.textContent)")));

            // The XML documentation, the record's schema from components/schemas, defaults, nullable types and the
            // fixed error code, as the generator wrote them.
            string ship = await browser.TextAsync(Method("desk.ship"));
            Assert.Contains("Sends a parcel and answers its label.", ship, StringComparison.Ordinal);
            Assert.Contains("What to send.", ship, StringComparison.Ordinal);
            Assert.Contains("Parcel (object { Recipient?: string, Weight?: integer })", ship, StringComparison.Ordinal);
            Assert.Contains("#/components/schemas/Parcel:", ship, StringComparison.Ordinal);
            Assert.Contains("priority (optional, default 1)", ship, StringComparison.Ordinal);
            Assert.Contains("return_to (optional, default null)", ship, StringComparison.Ordinal);
            Assert.Contains("Parcel (object { Recipient?: string, Weight?: integer }) | null", ship, StringComparison.Ordinal);
            Assert.Contains("The label to stick on the parcel.", ship, StringComparison.Ordinal);
            Assert.Contains("2001 Too heavy", ship, StringComparison.Ordinal);
            Assert.Equal("default 1", (await browser.EvaluateAsync($"document.querySelector('{Method("desk.ship")} [name=priority]').placeholder")).GetString());
            Assert.Contains("Writes a line in the desk's log; nothing is answered.", await browser.TextAsync(Method("desk.note")), StringComparison.Ordinal);
            Assert.Contains("None: a notification, sent without an id; the server answers nothing.", await browser.TextAsync(Method("desk.note")), StringComparison.Ordinal);
            Assert.Contains("more (optional, params array)", await browser.TextAsync(Method("desk.total_weight")), StringComparison.Ordinal);

            // By name, the record as JSON and the optional priority left out: the server's default applies.
            await browser.FillAsync($"{Method("desk.ship")} [name=parcel]", """{"Recipient":"Ada","Weight":3}""");
            await browser.ClickAsync($"{Method("desk.ship")} button[type=submit]");
            (JsonElement request, string reply) = await OutcomeAsync(browser, "desk.ship", "Result: \"Ada, 3 kg, priority 1\"");
            Assert.Equal("""{"parcel":{"Recipient":"Ada","Weight":3}}""", Compact(request.GetProperty("params")));
            Assert.StartsWith("HTTP 200", reply, StringComparison.Ordinal);

            // By position, too heavy: the fixed error code the document lists comes back.
            await browser.FillAsync($"{Method("desk.ship")} [name=parcel]", """{"Recipient":"Bo","Weight":40}""");
            await browser.FillAsync($"{Method("desk.ship")} [name=priority]", "2");
            await browser.ClickAsync($"{Method("desk.ship")} input[value=by-position]");
            await browser.ClickAsync($"{Method("desk.ship")} button[type=submit]");
            (request, _) = await OutcomeAsync(browser, "desk.ship", "Error 2001: Too heavy");
            Assert.Equal("""[{"Recipient":"Bo","Weight":40},2]""", Compact(request.GetProperty("params")));

            // A nullable string takes text, as a string does.
            Assert.Equal("text", (await browser.EvaluateAsync($"document.querySelector('{Method("desk.label")} [name=note]').type")).GetString());
            await browser.FillAsync($"{Method("desk.label")} [name=recipient]", "Ada");
            await browser.FillAsync($"{Method("desk.label")} [name=note]", "fragile");
            await browser.ClickAsync($"{Method("desk.label")} button[type=submit]");
            (request, _) = await OutcomeAsync(browser, "desk.label", "Result: \"Ada (fragile)\"");
            Assert.Equal("""{"recipient":"Ada","note":"fragile"}""", Compact(request.GetProperty("params")));

            // A params array: whole by name, its items one by one by position.
            await browser.FillAsync($"{Method("desk.total_weight")} [name=first]", "1");
            await browser.FillAsync($"{Method("desk.total_weight")} [name=more]", "[2, 3]");
            await browser.ClickAsync($"{Method("desk.total_weight")} button[type=submit]");
            (request, _) = await OutcomeAsync(browser, "desk.total_weight", "Result: 6");
            Assert.Equal("""{"first":1,"more":[2,3]}""", Compact(request.GetProperty("params")));
            await browser.FillAsync($"{Method("desk.total_weight")} [name=more]", "[4, 5]");
            await browser.ClickAsync($"{Method("desk.total_weight")} input[value=by-position]");
            await browser.ClickAsync($"{Method("desk.total_weight")} button[type=submit]");
            (request, _) = await OutcomeAsync(browser, "desk.total_weight", "Result: 10");
            Assert.Equal("[1,4,5]", Compact(request.GetProperty("params")));
            await browser.FillAsync($"{Method("desk.total_weight")} [name=more]", "4");
            await browser.ClickAsync($"{Method("desk.total_weight")} button[type=submit]");
            await browser.WaitForAsync($"document.querySelector('{Method("desk.total_weight")} .outcome').textContent.startsWith('Not sent: more is a params array')");

            // The one-way method goes as a notification: no id, no reply, and the service gets it.
            await browser.FillAsync($"{Method("desk.note")} [name=line]", "parcel 7 left");
            await browser.ClickAsync($"{Method("desk.note")} button[type=submit]");
            (request, reply) = await OutcomeAsync(browser, "desk.note", "Notification sent (HTTP 204): no reply.");
            Assert.False(request.TryGetProperty("id", out _));
            Assert.Equal("""{"line":"parcel 7 left"}""", Compact(request.GetProperty("params")));
            Assert.Equal("parcel 7 left", await desk.Noted.WaitAsync(KestrelHost.Limit, TestContext.Current.CancellationToken));

            Assert.Empty(browser.Problems);
        });
    }

    [Fact]
    public async Task Text_of_the_document_and_of_replies_is_shown_as_text_never_as_markup_and_odd_schemas_are_read()
    {
        const string Hostile = """
            {
              "openrpc": "1.3.2",
              "info": { "title": "<img src=x onerror=\"window.pwned=1\">", "version": "1", "description": "<script>window.pwned=2</script>" },
              "methods": [
                {
                  "name": "<b>bold</b><img src=x onerror=\"window.pwned=3\">",
                  "description": "<iframe src=\"javascript:window.parent.pwned=4\"></iframe>",
                  "tags": [ { "name": "<svg onload=\"window.pwned=5\">" } ],
                  "params": [
                    { "name": "\"><img src=x onerror=\"window.pwned=6\">", "schema": { "enum": [ "<i>x</i>" ] } },
                    { "name": "loop", "schema": { "$ref": "#/components/schemas/Loop" } }
                  ],
                  "result": { "name": "r", "schema": { "$ref": "#/components/schemas/<svg onload=window.pwned=7>" } },
                  "errors": [ { "code": 1, "message": "<img src=x onerror=\"window.pwned=8\">" } ]
                },
                {
                  "name": "greet",
                  "paramStructure": "by-position",
                  "params": [ { "name": "customer", "required": true, "schema": { "type": "object" } } ],
                  "result": { "name": "text", "schema": { "type": "string" } }
                }
              ],
              "components": {
                "schemas": {
                  "<svg onload=window.pwned=7>": { "type": "string" },
                  "Loop": { "oneOf": [ { "$ref": "#/components/schemas/Loop" }, { "type": "null" } ] }
                }
              }
            }
            """;
        await using KestrelHost host = await ExplorerHost.StartAsync(Hostile);
        await using HeadlessChromium browser = await HeadlessChromium.StartAsync();
        await WithScreenshotAsync(browser, "markup-as-text", async () =>
        {
            await browser.NavigateAsync(host.Http("/rpc/explorer"));
            await browser.WaitForAsync("document.querySelectorAll('section[data-method]').length === 2");

            // A nullable schema that refers to itself is read, not followed forever.
            Assert.Contains("loop (optional)", await browser.TextAsync("section[data-method]"), StringComparison.Ordinal);

            // The server knows no such method: the name goes out in the request, and the error comes back.
            await browser.ClickAsync("section[data-method] button[type=submit]");
            await browser.WaitForAsync("document.querySelector('section[data-method] .outcome').textContent.startsWith('Error -32601')");
            Assert.Contains("<b>bold</b><img src=x onerror=\\\"window.pwned=3\\\">", await browser.TextAsync("section[data-method] .request"), StringComparison.Ordinal);

            // A reply with markup in it is shown as text too.
            await browser.FillAsync($"{Method("greet")} [name=customer]", """{"Name":"<img src=x onerror=\"window.pwned=9\">","Age":1}""");
            await browser.ClickAsync($"{Method("greet")} button[type=submit]");
            await browser.WaitForAsync($"document.querySelector('{Method("greet")} .outcome').textContent.startsWith('Result: ')");
            Assert.Equal("Result: \"Hello, <img src=x onerror=\\\"window.pwned=9\\\"> (1)!\"", await browser.TextAsync($"{Method("greet")} .outcome"));

            Assert.Equal("""<img src=x onerror="window.pwned=1">""", await browser.TextAsync("h1"));
            Assert.Equal("<b>bold</b><img src=x onerror=\"window.pwned=3\">", await browser.TextAsync("section[data-method] h3"));
            Assert.Equal("""<svg onload="window.pwned=5">""", await browser.TextAsync("section[data-service] h2"));
            Assert.Equal(2, (await browser.EvaluateAsync("document.querySelectorAll('section[data-service]').length")).GetInt32());
            Assert.Contains("""<iframe src="javascript:window.parent.pwned=4"></iframe>""", await browser.TextAsync("section[data-method]"), StringComparison.Ordinal);
            Assert.Equal(0, (await browser.EvaluateAsync("document.querySelectorAll('img, b, i, svg, iframe, script:not([src])').length")).GetInt32());
            Assert.Equal(JsonValueKind.Undefined, (await browser.EvaluateAsync("window.pwned")).ValueKind);
            Assert.Empty(browser.Problems);

            // The policy the page came with is in force: markup from a string is refused outright.
            Assert.Equal("TypeError", (await browser.EvaluateAsync(
                "(() => { try { document.body.insertAdjacentHTML('beforeend', '<b>x</b>'); return 'inserted'; } catch (e) { return e.name; } })()")).GetString());
        });
    }

    [Fact]
    public async Task A_missing_document_is_reported_on_the_page()
    {
        await using KestrelHost host = await ExplorerHost.StartAsync(document: null);
        await using HeadlessChromium browser = await HeadlessChromium.StartAsync();
        await WithScreenshotAsync(browser, "missing-document", async () =>
        {
            await browser.NavigateAsync(host.Http("/rpc/explorer"));
            await browser.WaitForAsync("document.getElementById('status').classList.contains('error')");
            string status = await browser.TextAsync("#status");
            Assert.StartsWith("Could not read the contract from /rpc/openrpc.json: HTTP 404", status, StringComparison.Ordinal);
            Assert.Equal("status", (await browser.EvaluateAsync("document.getElementById('status').getAttribute('role')")).GetString());
        });
    }

    /// <summary>Waits for the method's outcome line to start with <paramref name="expected"/>; returns the request sent and the reply shown.</summary>
    private static async Task<(JsonElement Request, string Reply)> OutcomeAsync(HeadlessChromium browser, string method, string expected)
    {
        string section = Method(method);
        await browser.WaitForAsync($"document.querySelector('{section} .outcome').textContent.startsWith({HeadlessChromium.Js(expected)})");
        using JsonDocument request = JsonDocument.Parse(await browser.TextAsync($"{section} .request"));
        Assert.Equal("2.0", request.RootElement.GetProperty("jsonrpc").GetString());
        Assert.Equal(method, request.RootElement.GetProperty("method").GetString());
        return (request.RootElement.Clone(), await browser.TextAsync($"{section} .reply"));
    }

    private static string Compact(JsonElement value) => JsonSerializer.Serialize(value);

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    /// <summary>Runs the steps, then saves a screenshot whether they passed or not: the picture of a failure is the useful one.</summary>
    internal static async Task WithScreenshotAsync(HeadlessChromium browser, string name, Func<Task> steps)
    {
        try
        {
            await steps();
        }
        finally
        {
            string path = Path.Combine(AppContext.BaseDirectory, "artifacts", "explorer", name + ".png");
            try
            {
                await browser.ScreenshotAsync(path);
                TestContext.Current.SendDiagnosticMessage($"Screenshot: {path}");
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or WebSocketException or IOException)
            {
                // A browser that broke down cannot take the picture; the steps' own failure is the one to report.
                TestContext.Current.SendDiagnosticMessage($"No screenshot: {e.Message}");
            }
        }
    }
}
