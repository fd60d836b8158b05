// TinyRpc's RPC explorer: reads an OpenRPC 1.x document and calls its methods as JSON-RPC 2.0 over HTTP POST.
// Every text that comes from the document or from a reply is put into the page as a text node or an attribute
// value, never parsed as markup; the page's Content-Security-Policy enforces Trusted Types, so that handing a string
// of markup to the DOM would throw instead.
(function () {
  "use strict";

  const rpcUrl = document.body.dataset.rpcUrl;
  const documentUrl = document.body.dataset.documentUrl;
  const status = document.getElementById("status");
  const main = document.getElementById("methods");
  const toc = document.getElementById("toc");
  let nextId = 1;
  let contract = null;

  /** Makes an element; string children become text nodes. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function text(value) {
    return typeof value === "string" ? value : "";
  }

  function setStatus(message, isError) {
    status.textContent = message;
    status.classList.toggle("error", Boolean(isError));
  }

  /** Follows a local reference (#/components/...) through the document; anything else is left as it is. */
  function resolve(value, seen) {
    if (!value || typeof value !== "object" || typeof value.$ref !== "string") return value;
    const ref = value.$ref;
    if (!ref.startsWith("#/")) return value;
    seen = seen || new Set();
    if (seen.has(ref)) return value;
    seen.add(ref);
    let target = contract;
    for (const part of ref.slice(2).split("/")) {
      const key = decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~");
      if (!target || typeof target !== "object" || !Object.prototype.hasOwnProperty.call(target, key)) return value;
      target = target[key];
    }
    return resolve(target, seen);
  }

  function refName(ref) {
    const slash = ref.lastIndexOf("/");
    return slash >= 0 ? ref.slice(slash + 1) : ref;
  }

  /** A one-line reading of a JSON schema: "integer", "array of string", "object { name: string, age?: integer }". */
  function describeSchema(schema, depth) {
    depth = depth || 0;
    if (schema === true || schema === undefined || schema === null) return "any";
    if (schema === false) return "nothing";
    if (typeof schema !== "object") return "any";
    if (typeof schema.$ref === "string") {
      const target = resolve(schema);
      const name = refName(schema.$ref);
      if (target === schema || depth > 0) return name;
      const inner = describeSchema(target, depth + 1);
      return inner === name ? name : name + " (" + inner + ")";
    }
    for (const key of ["oneOf", "anyOf"]) {
      if (Array.isArray(schema[key]) && schema[key].length > 0) {
        // "T or null", as generated for a nullable type, reads as T itself does, followed by "| null".
        const nullable = schema[key].length === 2 && schema[key].some(isNull);
        return schema[key].map((s) => describeSchema(s, nullable ? depth : depth + 1)).join(" | ");
      }
    }
    // A lone allOf wraps a reference so that a default can sit beside it: it reads as the reference.
    if (Array.isArray(schema.allOf) && schema.allOf.length === 1) return describeSchema(schema.allOf[0], depth);
    if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
      return schema.allOf.map((s) => describeSchema(s, depth + 1)).join(" & ");
    }
    if (Array.isArray(schema.enum)) {
      return "one of " + schema.enum.map((v) => JSON.stringify(v)).join(", ");
    }
    if ("const" in schema) return JSON.stringify(schema.const);
    const types = Array.isArray(schema.type) ? schema.type : typeof schema.type === "string" ? [schema.type] : [];
    const parts = (types.length > 0 ? types : [schema.properties ? "object" : schema.items ? "array" : "any"]).map((type) => {
      if (type === "array") {
        return schema.items && depth < 3 ? "array of " + describeSchema(schema.items, depth + 1) : "array";
      }
      if (type === "object" && schema.properties && typeof schema.properties === "object" && depth < 2) {
        const required = Array.isArray(schema.required) ? schema.required : [];
        const fields = Object.keys(schema.properties).map(
          (name) => name + (required.includes(name) ? "" : "?") + ": " + describeSchema(schema.properties[name], depth + 1));
        return "object { " + fields.join(", ") + " }";
      }
      if (typeof schema.format === "string") return type + " (" + schema.format + ")";
      return String(type);
    });
    return parts.join(" | ");
  }

  /** The schema as indented JSON, with the local references it uses resolved next to it. */
  function schemaDetails(schema) {
    const shown = [JSON.stringify(schema, null, 2)];
    const refs = new Set();
    (function collect(value) {
      if (!value || typeof value !== "object") return;
      if (typeof value.$ref === "string" && !refs.has(value.$ref)) {
        refs.add(value.$ref);
        collect(resolve(value));
      }
      for (const child of Object.values(value)) collect(child);
    })(schema);
    for (const ref of refs) {
      const target = resolve({ $ref: ref });
      if (target && target.$ref !== ref) shown.push(ref + ":\n" + JSON.stringify(target, null, 2));
    }
    return el("details", {}, el("summary", {}, "JSON schema"), el("pre", {}, shown.join("\n\n")));
  }

  function isNull(schema) {
    const target = resolve(schema);
    return Boolean(target) && typeof target === "object" && target.type === "null";
  }

  /**
   * A schema that takes plain text: such a parameter gets a text box whose content is sent as a JSON string. A
   * nullable string (a type array of "string" and "null", or oneOf/anyOf a string and null) counts: leaving the box
   * empty leaves the parameter out, which is how its default (null, as generated) is asked for.
   */
  function isString(schema, depth) {
    depth = depth || 0;
    const target = resolve(schema);
    // A schema that refers to itself through oneOf would never end.
    if (depth > 4) return false;
    if (!target || typeof target !== "object" || Array.isArray(target.enum)) return false;
    if (target.type === "string") return true;
    if (Array.isArray(target.type)) return target.type.includes("string") && target.type.every((t) => t === "string" || t === "null");
    for (const key of ["oneOf", "anyOf"]) {
      const options = target[key];
      if (Array.isArray(options) && options.length === 2 && options.some(isNull)) return options.some((o) => !isNull(o) && isString(o, depth + 1));
    }
    return false;
  }

  /** The schema's default value as JSON text, or undefined; a default is what the server uses for a parameter left out. */
  function defaultOf(schema) {
    const target = resolve(schema);
    return target && typeof target === "object" && "default" in target ? JSON.stringify(target.default) : undefined;
  }

  /** A C# params array ("x-params-array": true): sent whole by name, its items one by one by position. */
  function isParamsArray(param) {
    return param["x-params-array"] === true;
  }

  /** "required", or "optional" with the default and whether the parameter is a params array. */
  function presence(param) {
    if (param.required) return "required";
    const notes = ["optional"];
    const fallback = defaultOf(param.schema);
    if (fallback !== undefined) notes.push("default " + fallback);
    if (isParamsArray(param)) notes.push("params array");
    return notes.join(", ");
  }

  /** A method sent as a notification: marked "x-notification", or without a result, which OpenRPC reserves for them. */
  function isNotification(method) {
    return method["x-notification"] === true || !method.result;
  }

  function serviceOf(method) {
    if (Array.isArray(method.tags)) {
      for (const tag of method.tags) {
        const resolved = resolve(tag);
        if (resolved && typeof resolved.name === "string" && resolved.name) return resolved.name;
      }
    }
    const name = text(method.name);
    const dot = name.lastIndexOf(".");
    return dot > 0 ? name.slice(0, dot) : "";
  }

  function exampleValues(method) {
    const values = new Map();
    const example = Array.isArray(method.examples) ? resolve(method.examples[0]) : null;
    if (example && Array.isArray(example.params)) {
      for (const item of example.params) {
        const pair = resolve(item);
        if (pair && typeof pair.name === "string" && "value" in pair) values.set(pair.name, pair.value);
      }
    }
    return values;
  }

  function renderParamsTable(params) {
    if (params.length === 0) return el("p", { class: "meta" }, "No parameters.");
    return el("table", {},
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Name"), el("th", { scope: "col" }, "Type"), el("th", { scope: "col" }, "Description"))),
      el("tbody", {}, params.map((param) => el("tr", {},
        el("th", { scope: "row" }, el("code", {}, text(param.name)), " (" + presence(param) + ")",
          param.deprecated ? el("span", { class: "deprecated" }, " deprecated") : null),
        el("td", {}, el("code", {}, describeSchema(param.schema)), param.schema !== undefined ? schemaDetails(param.schema) : null),
        el("td", {}, param.summary ? el("p", { class: "description" }, text(param.summary)) : null,
          param.description ? el("p", { class: "description" }, text(param.description)) : null)))));
  }

  function renderMethod(method, index) {
    const id = "method-" + index;
    const name = text(method.name);
    const params = (Array.isArray(method.params) ? method.params : []).map((p) => resolve(p) || {});
    const result = resolve(method.result);
    const errors = (Array.isArray(method.errors) ? method.errors : []).map((e) => resolve(e) || {});
    const structure = ["by-name", "by-position"].includes(method.paramStructure) ? method.paramStructure : "either";
    const examples = exampleValues(method);
    const notification = isNotification(method);

    const section = el("section", { class: "method", id: id, "aria-labelledby": id + "-name", "data-method": name },
      el("h3", { id: id + "-name", tabindex: "-1" }, name),
      method.deprecated ? el("p", { class: "deprecated" }, "Deprecated.") : null,
      method.summary ? el("p", { class: "description" }, text(method.summary)) : null,
      method.description ? el("p", { class: "description" }, text(method.description)) : null,
      el("h4", {}, "Parameters"),
      params.length > 0 ? el("p", { class: "meta" },
        structure === "by-name" ? "Sent by name." : structure === "by-position" ? "Sent by position." : "Sent by name or by position.") : null,
      renderParamsTable(params),
      el("h4", {}, "Result"),
      notification
        ? el("p", { class: "meta" }, "None: a notification, sent without an id; the server answers nothing.")
        : result && typeof result === "object"
          ? el("p", {}, el("code", {}, text(result.name) || "result"), ": ", el("code", {}, describeSchema(result.schema)),
            result.description || result.summary ? " — " + text(result.summary || result.description) : null)
          : null,
      !notification && result && result.schema !== undefined ? schemaDetails(result.schema) : null,
      errors.length > 0 ? el("h4", {}, "Errors") : null,
      errors.length > 0 ? el("ul", {}, errors.map((e) => el("li", {},
        el("code", {}, String(e.code)), " ", text(e.message),
        e.data !== undefined ? el("details", {}, el("summary", {}, "data"), el("pre", {}, JSON.stringify(e.data, null, 2))) : null))) : null);

    section.append(renderCallForm(id, name, params, structure, examples, notification));
    return section;
  }

  function renderCallForm(id, name, params, structure, examples, notification) {
    const form = el("form", { class: "call", novalidate: true, "aria-labelledby": id + "-try" });
    form.append(el("h4", { id: id + "-try" }, "Try it"));
    const inputs = params.map((param, i) => {
      const inputId = id + "-param-" + i;
      const hintId = inputId + "-hint";
      const plain = isString(param.schema);
      const example = examples.has(param.name) ? examples.get(param.name) : undefined;
      const fallback = defaultOf(param.schema);
      const attributes = { id: inputId, name: text(param.name), "aria-describedby": hintId, spellcheck: "false", autocomplete: "off",
        placeholder: !param.required && fallback !== undefined ? "default " + fallback : undefined };
      let input;
      if (plain) {
        input = el("input", Object.assign({ type: "text" }, attributes));
        if (typeof example === "string") input.value = example;
      } else {
        input = el("textarea", Object.assign({ rows: 2 }, attributes));
        if (example !== undefined) input.value = JSON.stringify(example);
      }
      form.append(el("div", { class: "field" },
        el("label", { for: inputId }, text(param.name), el("span", { class: "meta" }, " " + describeSchema(param.schema) + ", " + presence(param))),
        input,
        el("p", { id: hintId, class: "hint" }, (plain
          ? "Text, sent as a JSON string."
          : isParamsArray(param)
            ? "A JSON array: sent whole by name; by position its items follow the other parameters one by one."
            : "A JSON value.")
          + (param.required ? "" : fallback !== undefined ? " Leave empty to leave it out (the server then uses the default)." : " Leave empty to leave it out."))));
      return { param, input, plain };
    });

    let byName = structure !== "by-position";
    if (structure === "either" && params.length > 0) {
      const group = "group-" + id;
      const named = el("input", { type: "radio", name: group, id: id + "-by-name", value: "by-name", checked: true });
      const positional = el("input", { type: "radio", name: group, id: id + "-by-position", value: "by-position" });
      named.addEventListener("change", () => { byName = true; });
      positional.addEventListener("change", () => { byName = false; });
      form.append(el("fieldset", {}, el("legend", {}, "Send the parameters"),
        named, " ", el("label", { for: id + "-by-name" }, "by name"), " ",
        positional, " ", el("label", { for: id + "-by-position" }, "by position")));
    }

    const button = el("button", { type: "submit" }, "Call " + name);
    form.append(el("p", {}, button));

    // The live region is in the page from the start: screen readers announce changes to a region they already know.
    const outcome = el("p", { class: "outcome", role: "status", "aria-live": "polite" });
    const request = el("pre", { class: "request" });
    const reply = el("pre", { class: "reply" });
    const output = el("div", { class: "output", hidden: true },
      el("h5", { class: "meta" }, "Request"), request, el("h5", { class: "meta" }, "Reply"), reply);
    form.append(outcome, output);

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      call(name, inputs, byName, notification, { form, button, output, outcome, request, reply });
    });
    return form;
  }

  function show(view, kind, summary, requestText, replyText) {
    view.output.hidden = requestText === "";
    view.outcome.className = "outcome " + kind;
    view.outcome.textContent = summary;
    view.request.textContent = requestText;
    view.reply.textContent = replyText;
  }

  // JSON is carried as text from the fields to the wire and from the wire to the page: JSON.parse turns
  // 9007199254740993 into 9007199254740992, and a tool for trying a server must show what was really sent and
  // received. Values are parsed only to check them and to read the reply's shape.

  /** The tokens of valid JSON text: punctuation, strings and literals, each as written. */
  function tokenize(json) {
    const tokens = [];
    let i = 0;
    while (i < json.length) {
      const c = json[i];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") { i++; continue; }
      if ("{}[]:,".includes(c)) { tokens.push(c); i++; continue; }
      let j = i + 1;
      if (c === "\"") {
        while (j < json.length && json[j] !== "\"") j += json[j] === "\\" ? 2 : 1;
        j++;
      } else {
        while (j < json.length && !" \t\n\r{}[]:,".includes(json[j])) j++;
      }
      tokens.push(json.slice(i, j));
      i = j;
    }
    return tokens;
  }

  /** Valid JSON text, indented by two spaces, every string and number kept as written. */
  function indent(json) {
    const tokens = tokenize(json);
    let out = "";
    let depth = 0;
    const newline = () => "\n" + "  ".repeat(depth);
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k];
      if (t === "{" || t === "[") {
        const close = t === "{" ? "}" : "]";
        if (tokens[k + 1] === close) { out += t + close; k++; continue; }
        depth++;
        out += t + newline();
      } else if (t === "}" || t === "]") {
        depth--;
        out += newline() + t;
      } else if (t === ",") {
        out += "," + newline();
      } else if (t === ":") {
        out += ": ";
      } else {
        out += t;
      }
    }
    return out;
  }

  /** The text of a member of the top-level object of valid JSON text, compact, or undefined. */
  function member(json, name) {
    const tokens = tokenize(json);
    let depth = 0;
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k];
      if (t === "{" || t === "[") { depth++; continue; }
      if (t === "}" || t === "]") { depth--; continue; }
      if (depth === 1 && tokens[k + 1] === ":" && t.startsWith("\"") && JSON.parse(t) === name && (k === 1 || tokens[k - 1] === ",")) {
        let end = k + 2;
        for (let level = 0; end < tokens.length; end++) {
          const v = tokens[end];
          if (v === "{" || v === "[") level++;
          else if (v === "}" || v === "]") { if (level === 0) break; level--; }
          else if (v === "," && level === 0) break;
        }
        return tokens.slice(k + 2, end).join("");
      }
    }
    return undefined;
  }

  /** The texts of the items of valid JSON text that is an array, each compact, or undefined if it is not an array. */
  function items(json) {
    const tokens = tokenize(json);
    if (tokens[0] !== "[") return undefined;
    const found = [];
    let start = 1;
    let level = 0;
    for (let k = 1; k < tokens.length - 1; k++) {
      const t = tokens[k];
      if (t === "{" || t === "[") level++;
      else if (t === "}" || t === "]") level--;
      else if (t === "," && level === 0) { found.push(tokens.slice(start, k).join("")); start = k + 1; }
    }
    if (start < tokens.length - 1) found.push(tokens.slice(start, tokens.length - 1).join(""));
    return found;
  }

  /** Reads the form into the text of params (undefined: none); on a bad field, says which and puts the focus there. */
  function collectParams(inputs, byName, view) {
    for (const { input } of inputs) input.removeAttribute("aria-invalid");
    const values = [];
    for (const { param, input, plain } of inputs) {
      const raw = input.value;
      if (raw.trim() === "" && !(plain && param.required)) {
        values.push({ param, input, missing: true });
        continue;
      }
      if (plain) {
        values.push({ param, input, json: JSON.stringify(raw) });
        continue;
      }
      try {
        JSON.parse(raw);
        values.push({ param, input, json: tokenize(raw).join("") });
      } catch (e) {
        input.setAttribute("aria-invalid", "true");
        show(view, "error", "Not sent: " + text(param.name) + " is not valid JSON (" + e.message + ").", "", "");
        input.focus();
        return null;
      }
    }
    if (inputs.length === 0) return undefined;
    if (byName) {
      return "{" + values.filter((v) => !v.missing).map((v) => JSON.stringify(text(v.param.name)) + ":" + v.json).join(",") + "}";
    }
    const positional = [];
    let gap = null;
    for (const v of values) {
      if (v.missing) { gap = gap || v; continue; }
      if (gap) {
        gap.input.setAttribute("aria-invalid", "true");
        show(view, "error", "Not sent: by position, " + text(gap.param.name) + " cannot be left out while a later parameter is given.", "", "");
        gap.input.focus();
        return null;
      }
      if (isParamsArray(v.param)) {
        const spread = items(v.json);
        if (spread === undefined) {
          v.input.setAttribute("aria-invalid", "true");
          show(view, "error", "Not sent: " + text(v.param.name) + " is a params array: by position it takes a JSON array, whose items are sent one by one.", "", "");
          v.input.focus();
          return null;
        }
        positional.push(...spread);
        continue;
      }
      positional.push(v.json);
    }
    return "[" + positional.join(",") + "]";
  }

  async function call(name, inputs, byName, notification, view) {
    // The button stays focusable while a call runs (a disabled button would drop the keyboard focus); a second
    // submit is ignored instead.
    if (view.busy) return;
    const params = collectParams(inputs, byName, view);
    if (params === null) return;
    const body = "{\"jsonrpc\":\"2.0\",\"method\":" + JSON.stringify(name) + (params !== undefined ? ",\"params\":" + params : "")
      + (notification ? "" : ",\"id\":" + nextId++) + "}";
    const requestText = indent(body);
    view.busy = true;
    view.button.setAttribute("aria-disabled", "true");
    view.outcome.setAttribute("aria-busy", "true");
    show(view, "", "Calling " + name + "…", requestText, "");
    try {
      const response = await fetch(rpcUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: body,
        credentials: "same-origin",
        cache: "no-store",
      });
      const replyText = await response.text();
      const head = "HTTP " + response.status + (response.statusText ? " " + response.statusText : "");
      let reply;
      try {
        reply = replyText === "" ? undefined : JSON.parse(replyText);
      } catch (e) {
        reply = undefined;
      }
      const shown = head + "\n\n" + (reply !== undefined ? indent(replyText) : replyText);
      const single = reply && typeof reply === "object" && !Array.isArray(reply);
      if (notification && response.ok && replyText === "") {
        show(view, "ok", "Notification sent (HTTP " + response.status + "): no reply.", requestText, head);
      } else if (single && reply.error && typeof reply.error === "object") {
        const error = reply.error;
        show(view, "error", "Error " + (member(member(replyText, "error"), "code") ?? String(error.code)) + ": " + text(error.message), requestText, shown);
      } else if (single && "result" in reply) {
        show(view, "ok", "Result: " + member(replyText, "result"), requestText, shown);
      } else {
        show(view, "error", response.ok ? "Unexpected reply (" + head + ")." : "The server refused the call (" + head + ").", requestText, shown);
      }
    } catch (e) {
      show(view, "error", "The call failed: " + String(e && e.message ? e.message : e), requestText, "");
    } finally {
      view.busy = false;
      view.button.removeAttribute("aria-disabled");
      view.outcome.removeAttribute("aria-busy");
    }
  }

  function render(doc) {
    contract = doc;
    const info = resolve(doc.info) || {};
    const title = text(info.title) || "RPC explorer";
    document.title = title + " — RPC explorer";
    document.getElementById("title").textContent = title;
    document.getElementById("version").textContent =
      (info.version !== undefined ? "Version " + String(info.version) + " · " : "") + "OpenRPC " + doc.openrpc;
    document.getElementById("description").textContent = text(info.description);

    const methods = doc.methods.map((m) => resolve(m)).filter((m) => m && typeof m === "object" && typeof m.name === "string");
    const services = new Map();
    methods.forEach((method, index) => {
      const service = serviceOf(method);
      if (!services.has(service)) services.set(service, []);
      services.get(service).push({ method, index });
    });

    setStatus(methods.length === 0 ? "The contract lists no methods."
      : methods.length === 1 ? "1 method." : methods.length + " methods.", false);
    for (const [service, entries] of services) {
      const heading = service || (services.size > 1 ? "Other methods" : "Methods");
      const sectionId = "service-" + entries[0].index;
      const section = el("section", { class: "service", "aria-labelledby": sectionId, "data-service": service },
        el("h2", { id: sectionId }, heading));
      const list = el("ul");
      for (const { method, index } of entries) {
        section.append(renderMethod(method, index));
        const link = el("a", { href: "#method-" + index }, text(method.name));
        link.addEventListener("click", () => {
          // The heading takes the focus so that keyboard and screen reader users land where the link points.
          requestAnimationFrame(() => document.getElementById("method-" + index + "-name").focus());
        });
        list.append(el("li", {}, link));
      }
      main.append(section);
      toc.append(el("li", {}, el("a", { href: "#" + sectionId }, heading), list));
    }
  }

  async function load() {
    document.getElementById("rpc-url").textContent = rpcUrl;
    const link = document.getElementById("document-link");
    link.textContent = documentUrl;
    link.setAttribute("href", documentUrl);
    let response;
    try {
      response = await fetch(documentUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" });
    } catch (e) {
      setStatus("Could not read the contract from " + documentUrl + ": " + String(e && e.message ? e.message : e), true);
      return;
    }
    if (!response.ok) {
      setStatus("Could not read the contract from " + documentUrl + ": HTTP " + response.status + " " + response.statusText + ".", true);
      return;
    }
    let doc;
    try {
      doc = JSON.parse(await response.text());
    } catch (e) {
      setStatus("The contract at " + documentUrl + " is not valid JSON: " + e.message, true);
      return;
    }
    if (!doc || typeof doc !== "object" || typeof doc.openrpc !== "string" || !/^1\./.test(doc.openrpc) || !Array.isArray(doc.methods)) {
      setStatus("The document at " + documentUrl + " is not an OpenRPC 1.x document (it needs \"openrpc\": \"1.x.y\" and a \"methods\" array).", true);
      return;
    }
    try {
      render(doc);
    } catch (e) {
      setStatus("The contract could not be shown: " + String(e && e.message ? e.message : e), true);
    }
  }

  load();
})();
