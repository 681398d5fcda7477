#pragma once
// `herald serve`: the HTTP server on a directory.

#include <iosfwd>
#include <string>
#include <vector>

#include <herald/handlers/lab.hpp>
#include <herald/handlers/static_files.hpp>
#include <herald/server/options.hpp>

namespace CLI {
class App;
}

namespace herald::cli {

struct serve_options {
  std::string root = ".";
  std::vector<std::string> listen;  // host:port
  server::options server;
  handlers::static_options files;
  double header_timeout = 10, body_timeout = 30, idle_timeout = 60, send_timeout = 30;
  double file_cache_valid = 0;
  double grace = 10;
  bool no_server_header = false;
  bool no_access_log = false;
  std::string log_format = "combined";
  std::string config;  // --config FILE, applied under the flags (config_file.hpp)
  bool lab = false;    // --lab: the lab at "/", or at lab_options.prefix with --lab-prefix
  handlers::lab_options lab_options;
  double lab_max_delay = 10;
};

// "host:port", "[v6]:port" or "port" (then 127.0.0.1). Throws std::invalid_argument.
server::listen_address parse_listen(const std::string& text);

void add_serve_command(CLI::App& app, serve_options& options);
// Runs until SIGTERM/SIGINT. Returns the exit status; errors are one line on `err`.
int run_serve(serve_options& options, std::ostream& err);

}  // namespace herald::cli
