// The config file of `herald serve --config` (src/cli/config_file.cpp): every key of [serve],
// [[rule]] tables, errors named by file and line, and how `herald serve` merges the file under
// its flags (parsed without serving) and fails with exit status 2 on a bad file or rule.

#include "cli/config_file.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "cli/cli_support.hpp"
#include "cli/serve_command.hpp"
#include "support/raw_client.hpp"
#include "support/test_cases.hpp"

namespace herald::cli {
namespace {

using cli_test::run_herald;
using cli_test::run_result;

using test::PrintTo;
using testing::ElementsAre;
using testing::HasSubstr;

TEST(ConfigFile, ReadsEveryKey) {
  const config_result r = parse_config(R"(
[serve]
root = "/srv/www"
listen = ["127.0.0.1:8080", "[::1]:8081"]
workers = 3
server-name = "example.com"
strict-host = true
access-log = "/tmp/access.log"
trace = true
listing = false

[[rule]]
kind = "redirect"
path = "/old/*"
code = 308
target = "/new/"

[[rule]]
kind = "gone"
path = "/gone"

[[rule]]
kind = "blocked"
path = "/leak"
entity = "https://authority.example/"

[[rule]]
kind = "require-precondition"
path = "/doc"

[[rule]]
kind = "early-hints"
path = "/"
link = "</style.css>; rel=preload; as=style"
)",
                                       "herald.toml");
  ASSERT_TRUE(r.config) << r.error;
  const config_file& c = *r.config;
  EXPECT_EQ(c.root, "/srv/www");
  EXPECT_EQ(c.listen, (std::vector<std::string>{"127.0.0.1:8080", "[::1]:8081"}));
  EXPECT_EQ(c.workers, 3u);
  EXPECT_EQ(c.server_names, std::vector<std::string>{"example.com"});
  EXPECT_EQ(c.strict_host, true);
  EXPECT_EQ(c.access_log, "/tmp/access.log");
  EXPECT_EQ(c.trace, true);
  EXPECT_EQ(c.listing, false);
  ASSERT_EQ(c.rules.size(), 5u);
  EXPECT_EQ(c.rules[0].kind, handlers::rule_kind::redirect);
  EXPECT_EQ(c.rules[0].code, 308);
  EXPECT_TRUE(c.rules[0].prefix);
  EXPECT_EQ(c.rules[0].value, "/new/");
  EXPECT_EQ(c.rules[1].kind, handlers::rule_kind::gone);
  EXPECT_EQ(c.rules[2].value, "https://authority.example/");
  EXPECT_EQ(c.rules[3].kind, handlers::rule_kind::require_precondition);
  EXPECT_EQ(c.rules[4].value, "</style.css>; rel=preload; as=style");
}

TEST(ConfigFile, EmptyFileSetsNothing) {
  const config_result r = parse_config("# nothing\n", "empty.toml");
  ASSERT_TRUE(r.config) << r.error;
  EXPECT_FALSE(r.config->root);
  EXPECT_FALSE(r.config->listen);
  EXPECT_TRUE(r.config->rules.empty());
}

TEST(ConfigFile, ListenMayBeOneString) {
  const config_result r = parse_config("[serve]\nlisten = \"8080\"\n", "f.toml");
  ASSERT_TRUE(r.config) << r.error;
  EXPECT_EQ(r.config->listen, std::vector<std::string>{"8080"});
}

struct error_case {
  std::string name;
  std::string text;
  std::string error;  // exactly
};

class ConfigFileRejects : public testing::TestWithParam<error_case> {};

TEST_P(ConfigFileRejects, WithFileAndLine) {
  const error_case& c = GetParam();
  const config_result r = parse_config(c.text, "herald.toml");
  EXPECT_FALSE(r.config);
  EXPECT_EQ(r.error, c.error);
  EXPECT_EQ(std::count(r.error.begin(), r.error.end(), '\n'), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Invalid, ConfigFileRejects,
    testing::Values(
        error_case{"UnknownTable", "[server]\nroot = \"x\"\n",
                   "herald.toml:1: unknown table or key \"server\": expected [serve] or [[rule]]"},
        error_case{"UnknownServeKey", "[serve]\nroot = \"x\"\nport = 80\n",
                   "herald.toml:3: unknown key \"port\" in [serve]: expected root, listen, "
                   "workers, server-name, strict-host, access-log, trace, listing, multiviews, "
                   "offer-choice, lab or lab-prefix"},
        error_case{"RootNotAString", "[serve]\nroot = 1\n",
                   "herald.toml:2: \"root\" must be a string"},
        error_case{"WorkersNotAnInteger", "[serve]\nworkers = \"4\"\n",
                   "herald.toml:2: \"workers\" must be an integer"},
        error_case{"WorkersNegative", "[serve]\nworkers = -1\n",
                   "herald.toml:2: \"workers\" must be from 0 (one per core) to 4096"},
        error_case{"TraceNotABoolean", "[serve]\n\ntrace = \"yes\"\n",
                   "herald.toml:3: \"trace\" must be true or false"},
        error_case{"ListenArrayOfNumbers", "[serve]\nlisten = [8080]\n",
                   "herald.toml:2: \"listen\" must be a string"},
        error_case{"ServeNotATable", "serve = 1\n",
                   "herald.toml:1: \"serve\" must be a table: [serve]"},
        error_case{"RuleNotATableArray", "rule = \"gone /x\"\n",
                   "herald.toml:1: \"rule\" must be an array of tables: [[rule]]"},
        error_case{"RuleWithoutKind", "[[rule]]\npath = \"/x\"\n",
                   "herald.toml:1: a [[rule]] needs a \"kind\""},
        error_case{"RuleUnknownKey", "[[rule]]\nkind = \"gone\"\nwhere = \"/x\"\n",
                   "herald.toml:3: unknown key \"where\" in [[rule]]: expected kind, path, code, "
                   "target, entity or link"},
        error_case{"RuleUnknownKind", "\n[[rule]]\nkind = \"vanish\"\npath = \"/x\"\n",
                   "herald.toml:2: unknown rule kind \"vanish\": expected gone, blocked, "
                   "redirect, require-precondition or early-hints"},
        error_case{"RuleBadPath", "[[rule]]\nkind = \"gone\"\npath = \"x\"\n",
                   "herald.toml:1: gone: path x: path does not start with '/'"},
        error_case{"RedirectWithoutTarget",
                   "[[rule]]\nkind = \"redirect\"\npath = \"/a\"\ncode = 301\n",
                   "herald.toml:1: redirect: needs a TARGET, the URI to redirect to"},
        error_case{"RedirectCodeAsString",
                   "[[rule]]\nkind = \"redirect\"\npath = \"/a\"\ncode = \"301\"\n",
                   "herald.toml:4: \"code\" must be an integer"},
        error_case{"WrongValueKey",
                   "[[rule]]\nkind = \"redirect\"\npath = \"/a\"\ncode = 301\nlink = \"/b\"\n",
                   "herald.toml:1: a redirect rule takes \"target\", not \"link\""},
        error_case{"ValueForGone", "[[rule]]\nkind = \"gone\"\npath = \"/a\"\ntarget = \"/b\"\n",
                   "herald.toml:1: a gone rule takes no \"target\""},
        error_case{"TwoValueKeys",
                   "[[rule]]\nkind = \"blocked\"\npath = \"/a\"\nentity = \"https://e/\"\n"
                   "target = \"/b\"\n",
                   "herald.toml:5: a rule takes one of target, entity and link, not \"entity\" "
                   "and \"target\""}),
    test::case_name);

TEST(ConfigFile, TomlSyntaxErrorNamesTheLine) {
  const config_result r = parse_config("[serve]\nroot = \"unterminated\n", "herald.toml");
  EXPECT_FALSE(r.config);
  EXPECT_THAT(r.error, testing::StartsWith("herald.toml:2: "));
  EXPECT_EQ(std::count(r.error.begin(), r.error.end(), '\n'), 0);
}

TEST(ConfigFile, UnreadableFile) {
  const config_result r = read_config("/nonexistent/herald.toml");
  EXPECT_FALSE(r.config);
  EXPECT_EQ(r.error, "/nonexistent/herald.toml: cannot read the config file");
}

// `herald serve` parsed without running: the file under the flags.

struct parsed_serve {
  serve_options options;
  std::string error;
};

parsed_serve parse_serve(std::vector<std::string> args) {
  parsed_serve out;
  CLI::App app{"herald"};
  add_serve_command(app, out.options);
  args.insert(args.begin(), "serve");
  std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    out.error = e.what();
  }
  return out;
}

TEST(ServeConfig, FileValuesApplyWhereNoFlagIsGiven) {
  test::temp_dir dir;
  std::filesystem::create_directories(dir.path() / "www");
  const auto file = dir.write("herald.toml", "[serve]\nroot = \"" + (dir.path() / "www").string() +
                                                 "\"\nlisten = [\"9000\"]\nworkers = 2\n"
                                                 "server-name = [\"a.example\", \"b.example\"]\n"
                                                 "strict-host = true\naccess-log = \"/tmp/a.log\"\n"
                                                 "trace = true\nlisting = false\n"
                                                 "multiviews = true\noffer-choice = true\n"
                                                 "[[rule]]\nkind = \"gone\"\npath = \"/old\"\n");
  const parsed_serve p = parse_serve({"--config", file.string()});
  ASSERT_EQ(p.error, "");
  const serve_options& o = p.options;
  EXPECT_EQ(o.root, (dir.path() / "www").string());
  EXPECT_THAT(o.listen, ElementsAre("9000"));
  EXPECT_EQ(o.server.workers, 2u);
  EXPECT_THAT(o.server.server_names, ElementsAre("a.example", "b.example"));
  EXPECT_TRUE(o.server.strict_host);
  EXPECT_EQ(o.server.access_log_path, "/tmp/a.log");
  EXPECT_TRUE(o.files.trace);
  EXPECT_FALSE(o.files.listings);
  EXPECT_TRUE(o.files.multiviews);
  EXPECT_TRUE(o.files.offer_choice);
  ASSERT_EQ(o.files.rules.rules().size(), 1u);
  EXPECT_EQ(o.files.rules.rules()[0].path, "/old");
}

TEST(ServeConfig, FlagsOverrideTheFile) {
  test::temp_dir dir;
  std::filesystem::create_directories(dir.path() / "file-root");
  std::filesystem::create_directories(dir.path() / "flag-root");
  const auto file =
      dir.write("herald.toml", "[serve]\nroot = \"" + (dir.path() / "file-root").string() +
                                   "\"\nlisten = \"9000\"\nworkers = 2\nserver-name = \"file\"\n"
                                   "access-log = \"/tmp/file.log\"\n"
                                   "[[rule]]\nkind = \"redirect\"\npath = \"/old\"\ncode = 301\n"
                                   "target = \"/from-file\"\n");
  const parsed_serve p =
      parse_serve({(dir.path() / "flag-root").string(), "--config", file.string(), "--listen",
                   "9001", "--workers", "5", "--server-name", "flag", "--access-log",
                   "/tmp/flag.log", "--rule", "redirect 302 /old /from-flag", "--no-listing"});
  ASSERT_EQ(p.error, "");
  const serve_options& o = p.options;
  EXPECT_EQ(o.root, (dir.path() / "flag-root").string());
  EXPECT_THAT(o.listen, ElementsAre("9001"));
  EXPECT_EQ(o.server.workers, 5u);
  EXPECT_THAT(o.server.server_names, ElementsAre("flag"));
  EXPECT_EQ(o.server.access_log_path, "/tmp/flag.log");
  EXPECT_FALSE(o.files.listings);
  // The flag's rule comes first, so it answers for /old; the file's follows it.
  ASSERT_EQ(o.files.rules.rules().size(), 2u);
  EXPECT_EQ(o.files.rules.rules()[0].value, "/from-flag");
  EXPECT_EQ(o.files.rules.rules()[1].value, "/from-file");
}

TEST(ServeConfig, RuleFlagIsRepeatable) {
  test::temp_dir dir;
  const parsed_serve p = parse_serve({dir.path().string(), "--rule", "gone /a", "--rule",
                                      "early-hints / </s.css>; rel=preload; as=style"});
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.options.files.rules.rules().size(), 2u);
  EXPECT_TRUE(p.options.files.rules.has_early_hints());
}

TEST(ServeConfig, BadRuleFlagExits2WithOneLineNamingTheRule) {
  test::temp_dir dir;
  const run_result r = run_herald({"serve", dir.path().string(), "--rule", "redirect 301 /old"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--rule \"redirect 301 /old\": redirect: expected redirect CODE "
                               "PATH TARGET"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(ServeConfig, FileCacheValidTakesSeconds) {
  test::temp_dir dir;
  const parsed_serve p = parse_serve({dir.path().string(), "--file-cache-valid", "60"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.options.file_cache_valid, 60);
}

TEST(ServeConfig, NegativeFileCacheValidExits2WithOneLine) {
  test::temp_dir dir;
  const run_result r = run_herald({"serve", dir.path().string(), "--file-cache-valid", "-1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--file-cache-valid"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(ServeConfig, OfferChoiceWithoutMultiviewsExits2WithOneLine) {
  test::temp_dir dir;
  const run_result r = run_herald({"serve", dir.path().string(), "--offer-choice"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--offer-choice: it chooses among multiviews: add --multiviews"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(ServeConfig, BadConfigExits2WithOneLineNamingFileAndLine) {
  test::temp_dir dir;
  const auto file = dir.write("bad.toml", "[serve]\nworkers = \"many\"\n");
  const run_result r = run_herald({"serve", dir.path().string(), "--config", file.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr(file.string() + ":2: \"workers\" must be an integer"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(ServeConfig, MissingConfigExits2) {
  test::temp_dir dir;
  const run_result r =
      run_herald({"serve", dir.path().string(), "--config", (dir.path() / "none.toml").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("none.toml: cannot read the config file"));
}

TEST(ServeConfig, HelpNamesRuleAndConfig) {
  const run_result r = run_herald({"serve", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("--rule"));
  EXPECT_THAT(r.out, HasSubstr("--config"));
}

}  // namespace
}  // namespace herald::cli
