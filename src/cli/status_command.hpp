#pragma once
// `herald status`: the status code registry on the command line.

#include <iosfwd>
#include <string>
#include <string_view>

#include "cli/terminal.hpp"

namespace CLI {
class App;
}

namespace herald::cli {

struct status_options {
  std::string query;  // "404", "4xx", "404.3", or words to search for; empty lists everything
  bool list = false;
  bool json = false;
  bool markdown = false;  // a Markdown table, for lists and classes
  std::string lang = "en";
  color_mode color = color_mode::automatic;
};

// What a query asks for. A pure function of the text, so it is tested apart from printing.
struct status_query {
  enum class kind { list, code, status_class, iis_substatus, search, invalid };
  kind what = kind::list;
  int code = 0;  // code, status_class (1..5), iis_substatus
  int sub = 0;   // iis_substatus
  std::string text;  // search words, or why the query is invalid
};
status_query classify_status_query(std::string_view query);

// Exit status: 0 when the query names something herald knows, 1 when it is well-formed but
// unknown (an unassigned code, a search without matches), 2 when it is not a valid query.
int run_status(const status_options& options, std::ostream& out, std::ostream& err,
               bool color);

void add_status_command(CLI::App& app, status_options& options);

}  // namespace herald::cli
