#include "cli/app.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include <ostream>

#include "cli/check_command.hpp"
#include "cli/request_command.hpp"
#include "cli/serve_command.hpp"
#include "cli/status_command.hpp"

namespace herald::cli {

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"herald: every HTTP status code, produced and handled as its specification says",
               "herald"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "herald 0.1.0");

  status_options status;
  add_status_command(app, status);
  serve_options serve;
  add_serve_command(app, serve);
  check_options check;
  add_check_command(app, check);
  request_options get, head, send;
  add_request_commands(app, get, head, send);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e, out, err);  // --help, --version
    err << "herald: " << e.what() << " (run herald --help)\n";
    return 2;
  }

  if (app.got_subcommand("status"))
    return run_status(status, out, err, use_color(status.color, STDOUT_FILENO));
  if (app.got_subcommand("serve")) return run_serve(serve, err);
  if (app.got_subcommand("check"))
    return run_check(check, out, err, use_color(color_mode::automatic, STDOUT_FILENO),
                     isatty(STDERR_FILENO) != 0);
  const bool terminal = isatty(STDERR_FILENO) != 0;
  if (app.got_subcommand("get")) return run_request(get, out, err, terminal);
  if (app.got_subcommand("head")) return run_request(head, out, err, terminal);
  if (app.got_subcommand("send")) return run_request(send, out, err, terminal);
  return 2;
}

}  // namespace herald::cli
