#pragma once
// `herald check URL...`: the redirect chain of each URL, hop by hop, and what is wrong with it.
//
// Exit status: 0 when every URL ends in a 2xx; 1 when some final status is not 2xx; 3 when
// some chain did not end (a loop, too many redirects, a refused or broken Location, 305, a
// transport failure); 2 for bad usage.

#include <iosfwd>
#include <string>
#include <vector>

#include <herald/client/fetch.hpp>

#include "cli/client_common.hpp"

namespace CLI {
class App;
}

namespace herald::cli {

struct check_options {
  std::vector<std::string> urls;
  std::string method = "GET";
  std::string input;  // --input FILE: one URL a line ('-' for standard input)
  unsigned concurrency = 4;
  bool show_headers = false;
  request_flags request;
};

// What a chain shows that its owner should know beyond why it stopped (a loop, too many hops,
// 305, which the stop itself names): downgrades, 302 after POST, credentials dropped at another
// origin, chains longer than needed, permanent redirects to temporary ones. One sentence each.
std::vector<std::string> findings(const client::fetch_result& r);

void add_check_command(CLI::App& app, check_options& options);
int run_check(const check_options& options, std::ostream& out, std::ostream& err, bool color,
              bool progress);

}  // namespace herald::cli
