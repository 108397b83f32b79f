// `replydesk inspect FILE [--json]`: what the parser saw in one message.
// The JSON is a stable contract (docs/inspect-json.md).
#include <iostream>

#include "app/context.h"
#include "mail/inspect_json.h"
#include "mail/mime_parser.h"
#include "util/durable_file.h"

namespace replydesk::app {
namespace {

int Inspect(const std::string& path, bool as_json) {
  auto raw =
      path == "-"
          ? util::Result<std::string>(std::string(std::istreambuf_iterator<char>(std::cin), {}))
          : util::ReadFile(path);
  if (!raw.ok()) return PrintError(raw.error()), 66;  // EX_NOINPUT
  mail::ParsedMessage m = mail::MimeParser().Parse(*raw);
  std::cout << (as_json ? mail::InspectJson(m, true) + "\n" : mail::InspectText(m));
  return 0;
}

}  // namespace

void AddInspectCommand(CLI::App& app, GlobalOptions&, int& exit_code) {
  auto* cmd = app.add_subcommand("inspect", "Show what the parser sees in a message file");
  auto path = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  cmd->add_option("FILE", *path, "Message file (- for stdin)")->required();
  cmd->add_flag("--json", *as_json, "JSON output (stable contract, docs/inspect-json.md)");
  cmd->callback([&exit_code, path, as_json] { exit_code = Inspect(*path, *as_json); });
}

}  // namespace replydesk::app
