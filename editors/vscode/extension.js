// A minimal client for `plimsoll lsp`: starts the server on stdio for YAML and JSON files
// and passes the `plimsoll.*` settings as its initialization options.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function settings() {
  const c = vscode.workspace.getConfiguration("plimsoll");
  const out = {
    select: c.get("select"),
    ignore: c.get("ignore"),
    pss: { level: c.get("pss.level") ?? undefined, version: c.get("pss.version") ?? undefined },
    exclude: c.get("exclude"),
  };
  if (c.get("kustomize")) out.kustomize = c.get("kustomize");
  if (c.get("debounceMs") != null) out.debounceMs = c.get("debounceMs");
  return out;
}

function activate(context) {
  const command = vscode.workspace.getConfiguration("plimsoll").get("path") || "plimsoll";
  client = new LanguageClient(
    "plimsoll",
    "plimsoll",
    { command, args: ["lsp"] },
    {
      documentSelector: [
        { scheme: "file", language: "yaml" },
        { scheme: "file", language: "json" },
      ],
      initializationOptions: settings(),
    },
  );
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("plimsoll") && client) {
        client.sendNotification("workspace/didChangeConfiguration", { settings: settings() });
      }
    }),
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
