// replydesk: one binary, subcommands (CLI11). Wiring only: each subcommand
// lives in its own cmd_*.cc and is registered here.
#include <CLI/CLI.hpp>

#include "app/context.h"
#include "util/log.h"

int main(int argc, char** argv) {
  using namespace replydesk::app;
  CLI::App app{"Replydesk: an email-first customer-service helpdesk"};
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions globals;
  int exit_code = 0;
  AddGlobalOptions(app, globals);
  app.parse_complete_callback([&] { replydesk::util::InitLogging(globals.log_level); });
  AddIngestCommand(app, globals, exit_code);
  AddImportCommand(app, globals, exit_code);
  AddInspectCommand(app, globals, exit_code);
  AddTicketCommands(app, globals, exit_code);
  AddInboundCommands(app, globals, exit_code);
  AddChannelCommands(app, globals, exit_code);
  AddServeCommand(app, globals, exit_code);
  AddAdminCommands(app, globals, exit_code);
  AddUserCommands(app, globals, exit_code);
  AddRuleCommands(app, globals, exit_code);
  AddOutboxCommands(app, globals, exit_code);
  AddMailboxCommands(app, globals, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
