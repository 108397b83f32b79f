// replydesk: one binary, subcommands (CLI11). Wiring only.
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"Replydesk helpdesk"};
  CLI11_PARSE(app, argc, argv);
  return 0;
}
