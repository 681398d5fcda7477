#pragma once
// Running the herald command line in-process, as the CLI tests do.

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.hpp"

namespace herald::cli::cli_test {

struct run_result {
  int code;
  std::string out;
  std::string err;
};

// `herald ARGS...`, with standard output and error captured.
inline run_result run_herald(std::vector<std::string> args) {
  args.insert(args.begin(), "herald");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = run(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

// The member names of a JSON object, for checking an output schema.
inline std::set<std::string> keys(const nlohmann::json& object) {
  std::set<std::string> out;
  for (auto it = object.begin(); it != object.end(); ++it) out.insert(it.key());
  return out;
}

}  // namespace herald::cli::cli_test
