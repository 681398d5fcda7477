#pragma once
// The `herald` program: one CLI11 application with a subcommand per verb.

#include <iosfwd>

namespace herald::cli {

// Parses the command line and runs the verb. Usage errors print one line to `err` and
// return 2; help and version print to `out` and return 0.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace herald::cli
