#include "cli/app.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include <ostream>

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
  return 2;
}

}  // namespace herald::cli
