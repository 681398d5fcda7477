// `herald serve` (src/cli/serve_command.cpp): --listen parsing, --help, usage errors, the lab's
// flags and config keys, and the program itself serving a directory (and the lab) until SIGTERM,
// reopening its log on SIGHUP.

#include "cli/serve_command.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fcntl.h>
#include <filesystem>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <optional>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "cli/app.hpp"
#include "cli/cli_support.hpp"
#include "net/listener.hpp"
#include "support/raw_client.hpp"
#include "support/test_cases.hpp"

extern char** environ;

namespace herald::cli {
namespace {

using cli_test::run_herald;
using cli_test::run_result;

using namespace std::chrono_literals;
using test::PrintTo;
using testing::HasSubstr;
using testing::Not;

struct listen_case {
  std::string name;
  std::string text;
  std::string host;  // as parse_listen_host reads it
  unsigned short port;
};

class ParseListen : public testing::TestWithParam<listen_case> {};

TEST_P(ParseListen, ReadsHostAndPort) {
  const listen_case& c = GetParam();
  server::listen_address a = parse_listen(c.text);
  EXPECT_EQ(a.port, c.port);
  EXPECT_EQ(net::parse_listen_host(a.host).to_string(), c.host) << a.host;
}

INSTANTIATE_TEST_SUITE_P(Valid, ParseListen,
                         testing::Values(listen_case{"PortOnly", "8080", "127.0.0.1", 8080},
                                         listen_case{"PortZero", "0", "127.0.0.1", 0},
                                         listen_case{"HighestPort", "65535", "127.0.0.1", 65535},
                                         listen_case{"AnyIpv4", "0.0.0.0:80", "0.0.0.0", 80},
                                         listen_case{"Ipv4", "192.0.2.7:8000", "192.0.2.7", 8000},
                                         listen_case{"Localhost", "localhost:9000", "127.0.0.1",
                                                     9000},
                                         listen_case{"BracketedIpv6", "[::1]:8443", "::1", 8443},
                                         listen_case{"AnyIpv6", "[::]:80", "::", 80}),
                         test::case_name);

struct invalid_listen_case {
  std::string name;
  std::string text;
};

class ParseListenRejects : public testing::TestWithParam<invalid_listen_case> {};

TEST_P(ParseListenRejects, WithASentenceNamingTheValue) {
  const std::string& text = GetParam().text;
  try {
    server::listen_address a = parse_listen(text);
    ADD_FAILURE() << "accepted as host \"" << a.host << "\" port " << a.port;
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("--listen " + text));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Invalid, ParseListenRejects,
    testing::Values(invalid_listen_case{"Empty", ""},
                    invalid_listen_case{"HostWithoutPort", "host:"},
                    invalid_listen_case{"PortWithoutHost", ":80"},
                    invalid_listen_case{"PortTooLarge", "x:99999"},
                    invalid_listen_case{"PortOutOfRange", "65536"},
                    invalid_listen_case{"NegativePort", "-1"},
                    invalid_listen_case{"PortWithSign", "+80"},
                    invalid_listen_case{"PortNotANumber", "localhost:http"},
                    invalid_listen_case{"TrailingGarbage", "8080x"},
                    invalid_listen_case{"BracketsWithoutPort", "[::1]"},
                    // An IPv6 literal needs brackets: "::1" is not host ":" and port 1.
                    invalid_listen_case{"UnbracketedIpv6", "::1"}),
    test::case_name);

TEST(ServeCommand, HelpDocumentsEachFlagWithItsDefault) {
  run_result r = run_herald({"serve", "--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* flag : {"--listen",       "--workers",          "--header-timeout",
                           "--body-timeout", "--idle-timeout",     "--send-timeout",
                           "--grace",        "--max-request-line", "--max-header-size",
                           "--max-fields",   "--max-connections",  "--server-name",
                           "--strict-host",  "--server-header",    "--no-server-header",
                           "--access-log",   "--no-access-log",    "--log-format",
                           "--deny-peer",    "--deny-path",        "--show-hidden"})
    EXPECT_THAT(r.out, HasSubstr(flag));
  EXPECT_THAT(r.out, HasSubstr("127.0.0.1:8080"));
  EXPECT_THAT(r.out, HasSubstr("10000"));  // --max-connections
  EXPECT_THAT(r.out, HasSubstr("8192"));   // --max-request-line
}

TEST(ServeCommand, InvalidListenFailsWithOneLine) {
  test::temp_dir dir;
  run_result r = run_herald({"serve", dir.path().string(), "--listen", "x:99999"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "herald serve: --listen x:99999: the port must be a number from 0 to 65535\n");
}

TEST(ServeCommand, AServerHeaderWithAControlCharacterFailsWithOneLine) {
  test::temp_dir dir;
  run_result r = run_herald(
      {"serve", dir.path().string(), "--listen", "127.0.0.1:0", "--server-header", "bad\x01value"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "herald serve: the Server header value must be a field value: no control "
            "characters, and no space or tab at either end (RFC 9110 §5.5)\n");
}

// A timeout becomes milliseconds on a timer: NaN, or more than a year, would overflow the
// conversion, and less than a millisecond would be none at all.
TEST(ServeCommand, ATimeoutNoTimerCanHoldFailsWithOneLine) {
  test::temp_dir dir;
  for (const char* value : {"nan", "inf", "1e300", "1e-300", "-1"}) {
    run_result r = run_herald({"serve", dir.path().string(), "--idle-timeout", value});
    EXPECT_EQ(r.code, 2) << value;
    EXPECT_EQ(r.err, std::string("herald: --idle-timeout: ") + value +
                         ": expected seconds from 0.001 to 31536000 (run herald --help)\n");
  }
}

TEST(ServeCommand, UnknownHostFailsWithOneLine) {
  test::temp_dir dir;
  run_result r = run_herald({"serve", dir.path().string(), "--listen", "nowhere.invalid:0"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("nowhere.invalid"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
}

TEST(ServeCommand, MissingDirectoryIsAUsageError) {
  test::temp_dir dir;
  run_result r = run_herald({"serve", (dir.path() / "missing").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("missing"));
}

// ----- the program -----------------------------------------------------------------------------

// `herald serve` in a child process, its standard error read through a pipe.
class serve_process {
 public:
  // `open_files`: the process's limit on open descriptors, soft and hard, when set.
  explicit serve_process(std::vector<std::string> args, std::optional<int> open_files = {}) {
    args.insert(args.begin(), {HERALD_BINARY, "serve"});
    if (open_files) {
      // A shell sets the limit and becomes herald: posix_spawn cannot set one.
      args.insert(
          args.begin(),
          {"/bin/sh", "-c", "ulimit -n " + std::to_string(*open_files) + " && exec \"$@\"", "sh"});
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    err_fd_ = fds[0];
    if (rc != 0) pid_ = -1;
  }
  ~serve_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(err_fd_);
  }
  serve_process(const serve_process&) = delete;
  serve_process& operator=(const serve_process&) = delete;

  bool running() const { return pid_ > 0; }

  // Reads standard error until it holds `text` or the deadline passes.
  bool wait_for_output(std::string_view text, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = test::steady::now() + timeout;
    while (err_.find(text) == std::string::npos) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - test::steady::now());
      if (left.count() <= 0) return false;
      pollfd p{err_fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char chunk[4096];
      ssize_t n = ::read(err_fd_, chunk, sizeof chunk);
      if (n <= 0) return false;
      err_.append(chunk, static_cast<std::size_t>(n));
    }
    return true;
  }
  const std::string& output() const { return err_; }

  // Sends `signal` and waits for the exit: the exit status, minus the signal's number when a
  // signal ended the process, or -1000 on timeout.
  int stop_with(int signal, std::chrono::milliseconds timeout = 5s) {
    ::kill(pid_, signal);
    const auto deadline = test::steady::now() + timeout;
    while (test::steady::now() < deadline) {
      int status = 0;
      pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        if (WIFSIGNALED(status)) return -WTERMSIG(status);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1000;
      }
      std::this_thread::sleep_for(5ms);
    }
    return -1000;
  }

  // Waits until the process catches `signal` (SigCgt in /proc/PID/status).
  bool wait_until_catching(int signal, std::chrono::milliseconds timeout = 2s) {
    const auto deadline = test::steady::now() + timeout;
    const std::string status_path = "/proc/" + std::to_string(pid_) + "/status";
    while (test::steady::now() < deadline) {
      std::istringstream status(test::read_file(status_path));
      for (std::string line; std::getline(status, line);) {
        if (line.rfind("SigCgt:", 0) != 0) continue;
        unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
        if (mask & (1ULL << (signal - 1))) return true;
      }
      std::this_thread::sleep_for(2ms);
    }
    return false;
  }
  void signal(int s) { ::kill(pid_, s); }

 private:
  pid_t pid_ = -1;
  int err_fd_ = -1;
  std::string err_;
};

unsigned short port_in(const std::string& output) {
  const std::string marker = "http://127.0.0.1:";
  auto at = output.find(marker);
  if (at == std::string::npos) return 0;
  return static_cast<unsigned short>(std::stoul(output.substr(at + marker.size())));
}

class ServeProgram : public testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(HERALD_BINARY)) GTEST_SKIP() << "no " << HERALD_BINARY;
    dir_.write("www/index.html", "<h1>home</h1>\n");
  }
  test::temp_dir dir_;
};

TEST_F(ServeProgram, ServesTheDirectoryUntilSigterm) {
  serve_process p({(dir_.path() / "www").string(), "--listen", "127.0.0.1:0", "--workers", "1",
                   "--no-access-log", "--grace", "1"});
  ASSERT_TRUE(p.running());
  ASSERT_TRUE(p.wait_for_output("/\n")) << p.output();
  EXPECT_THAT(p.output(), HasSubstr("herald: serving "));
  const unsigned short port = port_in(p.output());
  ASSERT_NE(port, 0) << p.output();
  test::raw_client c(port);
  ASSERT_TRUE(c.send(test::raw_request("GET", "/")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<h1>home</h1>\n");
  ASSERT_TRUE(p.wait_until_catching(SIGTERM));
  EXPECT_EQ(p.stop_with(SIGTERM), 0) << p.output();
  EXPECT_TRUE(c.wait_closed(1s)) << "the idle connection closes on SIGTERM";
}

TEST_F(ServeProgram, ABurstBeyondTheDescriptorLimitLeavesRoomForTheFilesOfThoseServed) {
  // With 64 descriptors, 100 connections at once, each asking for a file herald must open: the
  // connections that would take the last descriptors are refused with 503 and Retry-After,
  // the others wait in the kernel's queue, and no request fails for want of a descriptor to
  // open its file with (a 503 saying the resource is unavailable, or a 500).
  constexpr int connections = 100;
  for (int i = 0; i < connections; ++i)
    dir_.write("www/f" + std::to_string(i) + ".txt", "file " + std::to_string(i) + "\n");
  serve_process p({(dir_.path() / "www").string(), "--listen", "127.0.0.1:0", "--workers", "1",
                   "--no-access-log"},
                  64);
  ASSERT_TRUE(p.running());
  ASSERT_TRUE(p.wait_for_output("/\n")) << p.output();
  const unsigned short port = port_in(p.output());
  ASSERT_NE(port, 0) << p.output();
  std::vector<test::raw_client> clients;
  for (int i = 0; i < connections; ++i) {
    clients.emplace_back(port, 10s);
    ASSERT_TRUE(clients.back().send(test::raw_request("GET", "/f" + std::to_string(i) + ".txt")));
  }
  int served = 0;
  int refused = 0;
  for (int i = 0; i < connections; ++i) {
    auto r = clients[static_cast<std::size_t>(i)].read_response("GET", 10s);
    ASSERT_TRUE(r) << i;
    if (r->status == 200) {
      EXPECT_EQ(r->body, "file " + std::to_string(i) + "\n");
      ++served;
    } else {
      ASSERT_EQ(r->status, 503) << i << ": " << r->body;
      EXPECT_TRUE(r->has("Retry-After"));
      EXPECT_THAT(r->body, HasSubstr("too many connections")) << i;
      ++refused;
    }
    clients[static_cast<std::size_t>(i)].close();
  }
  EXPECT_GT(served, 0);
  EXPECT_GT(refused, 0) << "64 descriptors cannot hold 100 connections at once";
  test::raw_client after(port);
  ASSERT_TRUE(after.send(test::raw_request("GET", "/f0.txt")));
  auto r = after.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

// Once `herald serve` has said where it serves, a supervisor may stop it at once: SIGTERM must
// then drain and exit 0, never kill the process by the signal's default action (the handlers
// must be in place before the "serving" line is printed).
TEST_F(ServeProgram, SigtermRightAfterTheServingLineDrains) {
  std::vector<int> results;
  for (int i = 0; i < 10; ++i) {
    serve_process p({(dir_.path() / "www").string(), "--listen", "127.0.0.1:0", "--workers", "1",
                     "--no-access-log", "--grace", "1"});
    ASSERT_TRUE(p.running());
    ASSERT_TRUE(p.wait_for_output("/\n")) << p.output();
    results.push_back(p.stop_with(SIGTERM));
  }
  EXPECT_THAT(results, testing::Each(0)) << "negative: killed by that signal";
}

TEST_F(ServeProgram, SighupReopensTheAccessLog) {
  const auto log = dir_.path() / "access.log";
  serve_process p({(dir_.path() / "www").string(), "--listen", "127.0.0.1:0", "--workers", "1",
                   "--access-log", log.string(), "--grace", "1"});
  ASSERT_TRUE(p.running());
  ASSERT_TRUE(p.wait_for_output("/\n")) << p.output();
  const unsigned short port = port_in(p.output());
  ASSERT_NE(port, 0) << p.output();
  test::raw_client c(port);
  ASSERT_TRUE(c.send(test::raw_request("GET", "/before")));
  ASSERT_TRUE(c.read_response());
  ASSERT_EQ(test::wait_for_lines(log, 1).size(), 1u);
  std::filesystem::rename(log, dir_.path() / "access.log.1");
  ASSERT_TRUE(p.wait_until_catching(SIGHUP));
  p.signal(SIGHUP);
  const auto deadline = test::steady::now() + 2s;
  while (!std::filesystem::exists(log) && test::steady::now() < deadline)
    std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(std::filesystem::exists(log)) << "no new log after SIGHUP";
  ASSERT_TRUE(c.send(test::raw_request("GET", "/after")));
  ASSERT_TRUE(c.read_response());
  std::vector<std::string> fresh = test::wait_for_lines(log, 1);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_THAT(fresh[0], HasSubstr("GET /after"));
  EXPECT_THAT(test::read_file(dir_.path() / "access.log.1"), HasSubstr("GET /before"));
  ASSERT_TRUE(p.wait_until_catching(SIGINT));
  EXPECT_EQ(p.stop_with(SIGINT), 0) << p.output();
}

// ----- the lab's flags and keys ------------------------------------------------------------------

struct parsed_serve {
  serve_options options;
  std::string error;
};

// `herald serve ARGS` parsed as the program parses it, without serving.
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

TEST(ServeLab, HelpDocumentsTheLabFlags) {
  run_result r = run_herald({"serve", "--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* flag : {"--lab", "--lab-prefix", "--lab-max-delay", "--lab-max-bytes"})
    EXPECT_THAT(r.out, HasSubstr(flag));
}

TEST(ServeLab, LabFlagServesTheLabAtTheRoot) {
  test::temp_dir dir;
  const parsed_serve p = parse_serve({dir.path().string(), "--lab"});
  ASSERT_EQ(p.error, "");
  EXPECT_TRUE(p.options.lab);
  EXPECT_EQ(p.options.lab_options.prefix, "");
  const parsed_serve without = parse_serve({dir.path().string()});
  ASSERT_EQ(without.error, "");
  EXPECT_FALSE(without.options.lab);
}

TEST(ServeLab, PrefixWithATrailingSlashIsAcceptedWithoutIt) {
  test::temp_dir dir;
  const parsed_serve p = parse_serve({dir.path().string(), "--lab-prefix", "/lab/"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.options.lab_options.prefix, "/lab");
  EXPECT_TRUE(p.options.lab) << "--lab-prefix implies --lab";
  const parsed_serve deep = parse_serve({dir.path().string(), "--lab-prefix", "/tools/lab"});
  ASSERT_EQ(deep.error, "");
  EXPECT_EQ(deep.options.lab_options.prefix, "/tools/lab");
}

TEST(ServeLab, RootPrefixStillImpliesTheLab) {
  test::temp_dir dir;
  const parsed_serve p = parse_serve({dir.path().string(), "--lab-prefix", "/"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.options.lab_options.prefix, "");
  EXPECT_TRUE(p.options.lab) << "--lab-prefix / says where the lab goes: it implies --lab too";
}

TEST(ServeLab, PrefixWithADotSegmentIsOneLineAndExit2) {
  test::temp_dir dir;
  for (const char* prefix : {"/a/../b", "/./lab", "/lab/.."}) {
    run_result r = run_herald({"serve", dir.path().string(), "--lab-prefix", prefix});
    EXPECT_EQ(r.code, 2) << prefix;
    EXPECT_THAT(r.err, HasSubstr("expected a path such as /lab")) << prefix;
  }
}

TEST(ServeLab, PrefixWithoutLeadingSlashIsOneLineAndExit2) {
  test::temp_dir dir;
  run_result r = run_herald({"serve", dir.path().string(), "--lab-prefix", "lab"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--lab-prefix"));
  EXPECT_THAT(r.err, HasSubstr("lab: expected a path such as /lab"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(ServeLab, PrefixThatIsNotAPathIsRefused) {
  test::temp_dir dir;
  for (std::string prefix : {"/lab?x=1", "/lab#top", "/a//b", "/l ab", "/%6cab", "\\lab"}) {
    run_result r = run_herald({"serve", dir.path().string(), "--lab-prefix", prefix});
    EXPECT_EQ(r.code, 2) << prefix;
    EXPECT_THAT(r.err, HasSubstr("--lab-prefix")) << prefix;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(ServeLab, BoundsAreChecked) {
  test::temp_dir dir;
  const parsed_serve p = parse_serve(
      {dir.path().string(), "--lab", "--lab-max-delay", "2.5", "--lab-max-bytes", "4096"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.options.lab_max_delay, 2.5);
  EXPECT_EQ(p.options.lab_options.max_bytes, 4096u);
  for (std::vector<std::string> bad :
       {std::vector<std::string>{"--lab-max-delay", "601"},
        std::vector<std::string>{"--lab-max-delay", "-1"},
        std::vector<std::string>{"--lab-max-bytes", "0"},
        std::vector<std::string>{"--lab-max-bytes", "many"}}) {
    bad.insert(bad.begin(), {"serve", dir.path().string(), "--lab"});
    run_result r = run_herald(bad);
    EXPECT_EQ(r.code, 2) << bad[3] << " " << bad[4];
    EXPECT_THAT(r.err, HasSubstr(bad[3]));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(ServeLab, ConfigKeysLabAndLabPrefix) {
  test::temp_dir dir;
  const auto prefixed = dir.write("prefixed.toml", "[serve]\nlab-prefix = \"/lab/\"\n");
  const parsed_serve p = parse_serve({dir.path().string(), "--config", prefixed.string()});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.options.lab_options.prefix, "/lab");
  EXPECT_TRUE(p.options.lab);

  const auto plain = dir.write("plain.toml", "[serve]\nlab = true\n");
  const parsed_serve q = parse_serve({dir.path().string(), "--config", plain.string()});
  ASSERT_EQ(q.error, "");
  EXPECT_TRUE(q.options.lab);
  EXPECT_EQ(q.options.lab_options.prefix, "");

  const parsed_serve flag_wins =
      parse_serve({dir.path().string(), "--config", prefixed.string(), "--lab-prefix", "/x"});
  ASSERT_EQ(flag_wins.error, "");
  EXPECT_EQ(flag_wins.options.lab_options.prefix, "/x");
}

TEST(ServeLab, ConfigPrefixWithoutLeadingSlashIsOneLineAndExit2) {
  test::temp_dir dir;
  const auto file = dir.write("bad.toml", "[serve]\nlab-prefix = \"lab\"\n");
  run_result r = run_herald({"serve", dir.path().string(), "--config", file.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("lab: expected a path such as /lab"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// As every other error in the file (config_file_test.cpp): the file and line, not a flag the
// user never gave.
TEST(ServeLab, ConfigPrefixErrorNamesTheFileAndLine) {
  test::temp_dir dir;
  const auto file = dir.write("bad.toml", "[serve]\nlab-prefix = \"lab\"\n");
  run_result r = run_herald({"serve", dir.path().string(), "--config", file.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr(file.string() + ":2:"));
  EXPECT_THAT(r.err, Not(HasSubstr("--lab-prefix")));
}

TEST(ServeLab, UnknownConfigKeyListsTheLabKeys) {
  test::temp_dir dir;
  const auto file = dir.write("typo.toml", "[serve]\nlab-prefx = \"/lab\"\n");
  run_result r = run_herald({"serve", dir.path().string(), "--config", file.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown key \"lab-prefx\""));
  EXPECT_THAT(r.err, HasSubstr("offer-choice, lab or lab-prefix"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(ServeProgram, LabPrefixServesTheLabBesideTheFiles) {
  serve_process p({(dir_.path() / "www").string(), "--listen", "127.0.0.1:0", "--workers", "1",
                   "--no-access-log", "--grace", "1", "--lab-prefix", "/lab",
                   "--lab-max-delay", "1"});
  ASSERT_TRUE(p.running());
  ASSERT_TRUE(p.wait_for_output("/lab/\n")) << p.output();
  EXPECT_THAT(p.output(), HasSubstr("herald: serving "));
  EXPECT_THAT(p.output(), HasSubstr("herald: lab on http://127.0.0.1:"));
  const unsigned short port = port_in(p.output());
  ASSERT_NE(port, 0) << p.output();
  test::raw_client c(port);
  ASSERT_TRUE(c.send(test::raw_request("GET", "/lab/get?x=1")));
  auto lab = c.read_response();
  ASSERT_TRUE(lab);
  EXPECT_EQ(lab->status, 200);
  EXPECT_THAT(lab->body, HasSubstr("\"url\": \"http://test.local/lab/get?x=1\""));
  ASSERT_TRUE(c.send(test::raw_request("GET", "/lab/delay/2")));
  auto bounded = c.read_response();
  ASSERT_TRUE(bounded);
  EXPECT_EQ(bounded->status, 400) << "--lab-max-delay 1";
  ASSERT_TRUE(c.send(test::raw_request("GET", "/")));
  auto files = c.read_response();
  ASSERT_TRUE(files);
  EXPECT_EQ(files->body, "<h1>home</h1>\n");
  ASSERT_TRUE(p.wait_until_catching(SIGTERM));
  EXPECT_EQ(p.stop_with(SIGTERM), 0) << p.output();
}

TEST_F(ServeProgram, LabAloneTakesEveryPath) {
  serve_process p({(dir_.path() / "www").string(), "--listen", "127.0.0.1:0", "--workers", "1",
                   "--no-access-log", "--grace", "1", "--lab"});
  ASSERT_TRUE(p.running());
  ASSERT_TRUE(p.wait_for_output("/\n")) << p.output();
  EXPECT_THAT(p.output(), Not(HasSubstr("herald: serving ")));
  const unsigned short port = port_in(p.output());
  ASSERT_NE(port, 0) << p.output();
  test::raw_client c(port);
  ASSERT_TRUE(c.send(test::raw_request("GET", "/status/418")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 418);
  ASSERT_TRUE(p.wait_until_catching(SIGTERM));
  EXPECT_EQ(p.stop_with(SIGTERM), 0) << p.output();
}

}  // namespace
}  // namespace herald::cli
