#include "cli/request_command.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <ostream>

#include <herald/core/http_date.hpp>
#include <herald/core/syntax.hpp>

namespace herald::cli {

namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// "bytes first-last/complete" (RFC 9110 §14.4); complete may be "*".
struct content_range {
  std::uint64_t first = 0, last = 0;
  std::optional<std::uint64_t> complete;
};

std::optional<std::uint64_t> number(std::string_view s) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return n;
}

std::optional<content_range> parse_content_range(std::string_view v) {
  if (!v.starts_with("bytes ")) return std::nullopt;
  v.remove_prefix(6);
  std::size_t slash = v.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  content_range r;
  std::string_view range = v.substr(0, slash), complete = v.substr(slash + 1);
  if (complete != "*") {
    r.complete = number(complete);
    if (!r.complete) return std::nullopt;
  }
  if (range == "*") return r;
  std::size_t dash = range.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first = number(range.substr(0, dash)), last = number(range.substr(dash + 1));
  if (!first || !last || *last < *first) return std::nullopt;
  r.first = *first;
  r.last = *last;
  return r;
}

// What FILE.herald.json keeps: enough to resume or revalidate.
struct saved_state {
  std::string url;
  std::string etag;
  std::string last_modified;
  std::optional<std::uint64_t> length;
  bool complete = false;

  static std::optional<saved_state> load(const fs::path& p) {
    std::ifstream in(p);
    if (!in) return std::nullopt;
    json j = json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    saved_state s;
    s.url = j.value("url", "");
    s.etag = j.value("etag", "");
    s.last_modified = j.value("last_modified", "");
    if (j.contains("length") && j["length"].is_number_unsigned()) s.length = j["length"].get<std::uint64_t>();
    s.complete = j.value("complete", false);
    return s;
  }
  void store(const fs::path& p) const {
    json j{{"url", url}, {"etag", etag}, {"last_modified", last_modified},
           {"length", length ? json(*length) : json(nullptr)}, {"complete", complete}};
    std::ofstream(p) << j.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
  }
  // The validator If-Range may carry: a strong ETag, else Last-Modified (RFC 9110 §13.1.5).
  std::string if_range() const {
    if (!etag.empty() && !etag.starts_with("W/")) return etag;
    return last_modified;
  }
};

class progress_bar {
 public:
  progress_bar(std::ostream& err, bool enabled) : err_(err), enabled_(enabled) {}
  void total(std::optional<std::uint64_t> t) { total_ = t; }
  void at(std::uint64_t done) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(200) && (!total_ || done < *total_)) return;
    last_ = now;
    double seconds = std::chrono::duration<double>(now - start_).count();
    double speed = seconds > 0 ? static_cast<double>(done - first_) / seconds : 0;
    std::string line;
    if (total_ && *total_ > 0) {
      const std::size_t width = 24, filled = static_cast<std::size_t>(width * std::min<double>(1.0, static_cast<double>(done) / static_cast<double>(*total_)));
      double eta = speed > 0 ? static_cast<double>(*total_ - std::min(done, *total_)) / speed : 0;
      line = fmt::format("\r[{}{}] {:3.0f}% {:>10} {:>9}/s ETA {:.0f}s ", std::string(filled, '#'), std::string(width - filled, ' '),
                         100.0 * static_cast<double>(done) / static_cast<double>(*total_), size(done), size(static_cast<std::uint64_t>(speed)), eta);
    } else {
      line = fmt::format("\r{:>10} {:>9}/s ", size(done), size(static_cast<std::uint64_t>(speed)));
    }
    err_ << line << std::flush;
    shown_ = true;
  }
  void from(std::uint64_t offset) { first_ = offset; }
  ~progress_bar() {
    if (shown_) err_ << '\n';
  }

 private:
  static std::string size(std::uint64_t n) {
    if (n >= 1 << 20) return fmt::format("{:.1f} MiB", static_cast<double>(n) / (1 << 20));
    if (n >= 1 << 10) return fmt::format("{:.1f} KiB", static_cast<double>(n) / (1 << 10));
    return fmt::format("{} B", n);
  }
  std::ostream& err_;
  bool enabled_;
  bool shown_ = false;
  std::optional<std::uint64_t> total_;
  std::uint64_t first_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

// Writes the content of a 200 or 206 into the partial file at the offsets it stands for.
class file_sink final : public client::content_sink {
 public:
  // `part_only`: the user asked for a range (--range): the file is that part alone, and it is
  // not a resumable copy of the whole.
  file_sink(int fd, const fs::path& meta, saved_state& state, progress_bar& bar, bool part_only)
      : fd_(fd), meta_(meta), state_(state), bar_(bar), part_only_(part_only) {}

  bool begin(const client::response_record& head) override {
    active_ = false;
    if (head.status == 200) {
      offset_ = 0;
    } else if (head.status == 206 && part_only_) {
      // One part (Content-Range) or several (multipart/byteranges, Content-Length).
      std::optional<std::string_view> field = head.fields.find("Content-Range");
      std::optional<content_range> range = field ? parse_content_range(*field) : std::nullopt;
      std::optional<std::string_view> length = head.fields.find("Content-Length");
      offset_ = 0;
      state_.length = range ? std::optional<std::uint64_t>(range->last - range->first + 1)
                            : length ? number(*length) : std::nullopt;
    } else if (head.status == 206) {
      std::optional<std::string_view> field = head.fields.find("Content-Range");
      std::optional<content_range> range = field ? parse_content_range(*field) : std::nullopt;
      struct stat st {};
      fstat(fd_, &st);
      // Bytes the file already holds may be written again, never skipped.
      if (!range || !range->complete || range->first > static_cast<std::uint64_t>(st.st_size)) {
        error = field ? fmt::format("the server sent {} for a file of {} octets", *field, st.st_size)
                      : std::string("206 without Content-Range");
        return false;
      }
      offset_ = range->first;
      state_.length = range->complete;
    } else {
      return true;  // an error status: its content is not the file's
    }
    if (head.status == 200) {
      std::optional<std::string_view> length = head.fields.find("Content-Length");
      state_.length = length ? number(*length) : std::nullopt;
    }
    if (ftruncate(fd_, static_cast<off_t>(offset_)) != 0) return false;
    state_.etag = std::string(head.fields.find("ETag").value_or(""));
    state_.last_modified = std::string(head.fields.find("Last-Modified").value_or(""));
    state_.complete = false;
    if (!part_only_) state_.store(meta_);
    bar_.total(state_.length);
    bar_.from(offset_);
    active_ = true;
    return true;
  }
  bool write(std::string_view octets) override {
    if (!active_) return true;
    while (!octets.empty()) {
      ssize_t n = pwrite(fd_, octets.data(), octets.size(), static_cast<off_t>(offset_));
      if (n <= 0) return false;
      offset_ += static_cast<std::uint64_t>(n);
      octets.remove_prefix(static_cast<std::size_t>(n));
    }
    bar_.at(offset_);
    return true;
  }
  std::string error;

 private:
  int fd_;
  fs::path meta_;
  saved_state& state_;
  progress_bar& bar_;
  bool part_only_;
  std::uint64_t offset_ = 0;
  bool active_ = false;
};

// Writes one segment of a segmented download in place.
class segment_sink final : public client::content_sink {
 public:
  segment_sink(int fd, std::uint64_t first, std::uint64_t last) : fd_(fd), first_(first), last_(last) {}
  bool begin(const client::response_record& head) override {
    std::optional<std::string_view> field = head.fields.find("Content-Range");
    std::optional<content_range> range = field ? parse_content_range(*field) : std::nullopt;
    if (head.status != 206 || !range || range->first != first_ || range->last != last_) {
      error = fmt::format("segment {}-{}: the server answered {} {}", first_, last_, head.status, field.value_or(""));
      return false;
    }
    offset_ = first_;
    return true;
  }
  bool write(std::string_view octets) override {
    if (offset_ + octets.size() > last_ + 1) return false;
    while (!octets.empty()) {
      ssize_t n = pwrite(fd_, octets.data(), octets.size(), static_cast<off_t>(offset_));
      if (n <= 0) return false;
      offset_ += static_cast<std::uint64_t>(n);
      octets.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  bool whole() const { return offset_ == last_ + 1; }
  std::string error;

 private:
  int fd_;
  std::uint64_t first_, last_, offset_ = 0;
};

// Standard output, with the head first for -i.
class stdout_sink final : public client::content_sink {
 public:
  stdout_sink(std::ostream& out, bool include) : out_(out), include_(include) {}
  bool begin(const client::response_record& head) override {
    if (include_) {
      out_ << "HTTP/1.1 " << status_line(head.status, head.reason) << "\r\n";
      for (auto [name, value] : head.fields) out_ << name << ": " << value << "\r\n";
      out_ << "\r\n";
    }
    return true;
  }
  bool write(std::string_view octets) override {
    out_.write(octets.data(), static_cast<std::streamsize>(octets.size()));
    return static_cast<bool>(out_);
  }

 private:
  std::ostream& out_;
  bool include_;
};

json chain_json(const client::fetch_result& r) {
  json hops = json::array();
  for (const client::hop& h : r.hops) {
    json hop{{"method", h.request.method}, {"url", h.request.url}};
    hop["status"] = h.response ? json(h.response->status) : json(nullptr);
    if (h.response) {
      std::optional<std::string_view> location = h.response->fields.find("Location");
      hop["location"] = location ? json(std::string(*location)) : json(nullptr);
      hop["time_ms"] = static_cast<double>(h.response->time.total.count()) / 1000.0;
    }
    hops.push_back(hop);
  }
  return hops;
}

int exit_status(const client::fetch_result& r, const request_options& o, std::ostream& err,
                std::string_view verb) {
  if (r.error) {
    err << "herald " << verb << ": " << r.error->what() << '\n';
    return 1;
  }
  if (r.stopped) {
    err << "herald " << verb << ": " << r.hops.back().step.detail << '\n';
    return 3;
  }
  const client::response_record* last = r.final_response();
  if (o.fail && last && last->status >= 400) {
    err << "herald " << verb << ": " << status_line(last->status, last->reason) << '\n';
    return 22;
  }
  return 0;
}

int print_json(const client::fetch_result& r, std::ostream& out, int status) {
  const client::response_record* last = r.final_response();
  json j{{"status", last ? json(last->status) : json(nullptr)},
         {"reason", last ? json(last->reason) : json(nullptr)},
         {"url", r.hops.empty() ? json(nullptr) : json(r.hops.back().request.url)},
         {"chain", chain_json(r)},
         {"time_ms", static_cast<double>(r.total.count()) / 1000.0},
         {"stopped", r.stopped ? json(std::string(client::to_string(*r.stopped))) : json(nullptr)},
         {"error", r.error ? json(std::string(r.error->what())) : json(nullptr)},
         {"notes", r.notes}};
  if (last) {
    json fields = json::array();
    for (auto [name, value] : last->fields) fields.push_back({std::string(name), std::string(value)});
    j["headers"] = fields;
  }
  out << j.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
  return status;
}

std::string read_content(const std::string& path) {
  if (path.empty()) return {};
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("--data-file " + path + ": cannot be read");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int download(const request_options& o, client::request_spec request, client::http_client& http,
             const client::fetch_options& fetch_options, std::ostream& out, std::ostream& err,
             bool terminal) {
  const fs::path file = o.output;
  const fs::path part = file.string() + ".part";
  const fs::path meta = file.string() + ".herald.json";
  std::optional<saved_state> saved = saved_state::load(meta);
  saved_state state;
  state.url = request.url;

  std::uint64_t offset = 0;
  if (o.resume) {
    std::error_code ec;
    if (!fs::exists(part, ec) && fs::exists(file, ec)) fs::rename(file, part, ec);
    if (fs::exists(part, ec)) offset = fs::file_size(part, ec);
    if (offset > 0 && saved && !saved->if_range().empty()) {
      request.fields.set("Range", fmt::format("bytes={}-", offset));
      request.fields.set("If-Range", saved->if_range());
      state = *saved;
    } else if (offset > 0) {
      err << "herald get: no validator saved for " << part.string() << ": starting again from zero\n";
      offset = 0;
    }
  }
  if (o.revalidate && saved && saved->complete && fs::exists(file)) {
    if (!saved->etag.empty()) request.fields.set("If-None-Match", saved->etag);
    if (!saved->last_modified.empty()) request.fields.set("If-Modified-Since", saved->last_modified);
  }

  const int fd = ::open(part.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    err << "herald get: cannot write " << part.string() << '\n';
    return 1;
  }
  progress_bar bar(err, terminal && !o.request.json);
  const bool part_only = !o.range.empty();
  file_sink sink(fd, meta, state, bar, part_only);
  client::fetch_result r = client::fetch(http, request, fetch_options, &sink);
  int status = exit_status(r, o, err, "get");
  const client::response_record* last = r.final_response();
  struct stat st {};
  fstat(fd, &st);
  ::close(fd);
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (!sink.error.empty()) {
    err << "herald get: " << sink.error << '\n';
    status = 1;
  }
  if (status == 0 && last) {
    if (last->status == 304) {
      err << "herald get: " << file.string() << " is up to date (304)\n";
    } else if (last->status == 416 && o.resume) {
      std::optional<std::string_view> field = last->fields.find("Content-Range");
      std::optional<content_range> range = field ? parse_content_range(*field) : std::nullopt;
      if (range && range->complete && *range->complete == offset) {
        fs::rename(part, file);
        state.complete = true;
        state.length = offset;
        state.store(meta);
        err << "herald get: " << file.string() << " was already complete\n";
      } else {
        err << "herald get: 416, and the partial file is not the whole resource\n";
        status = 1;
      }
    } else if (last->status == 200 || last->status == 206) {
      if (state.length && *state.length != size) {
        err << fmt::format("herald get: {} holds {} octets of {}; resume with -C\n", part.string(), size, *state.length);
        status = 1;
      } else {
        fs::rename(part, file);
        state.complete = true;
        state.length = size;
        if (!part_only) state.store(meta);
      }
    } else {
      err << "herald get: " << status_line(last->status, last->reason) << ": " << file.string() << " not written\n";
    }
  }
  // Nothing was written for an error status, a 304 or a failure before the content: no
  // empty part file is left to look like a download in progress.
  std::error_code ec;
  if (fs::exists(part, ec) && fs::file_size(part, ec) == 0) fs::remove(part, ec);
  if (o.request.json) print_json(r, out, status);
  return status;
}

int segmented(const request_options& o, const client::request_spec& request, client::http_client& http,
              const client::fetch_options& fetch_options, std::ostream& out, std::ostream& err,
              bool terminal) {
  // A first range of one octet says whether the server serves ranges, how long the file is,
  // and what its validator is; the redirects, challenges and retries happen there, once.
  client::request_spec probe = request;
  probe.fields.set("Range", "bytes=0-0");
  client::fetch_result first = client::fetch(http, probe, fetch_options);
  const client::response_record* head = first.final_response();
  std::optional<std::string_view> field = head ? head->fields.find("Content-Range") : std::nullopt;
  std::optional<content_range> range = field ? parse_content_range(*field) : std::nullopt;
  const std::string validator = head ? std::string(head->fields.find("ETag").value_or("")) : std::string();
  if (first.error || first.stopped || !head || head->status != 206 || !range || !range->complete ||
      *range->complete < o.segments || validator.empty() || validator.starts_with("W/")) {
    if (head && head->status == 206 && (validator.empty() || validator.starts_with("W/")))
      err << "herald get: no strong ETag to keep the segments of one version together: one stream\n";
    return download(o, request, http, fetch_options, out, err, terminal);
  }
  const std::uint64_t total = *range->complete;
  client::request_spec base = request;
  base.url = first.hops.back().request.url;
  base.fields = first.hops.back().request.fields;
  base.fields.erase("Range");

  const fs::path file = o.output, part = file.string() + ".part", meta = file.string() + ".herald.json";
  const int fd = ::open(part.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || ftruncate(fd, static_cast<off_t>(total)) != 0) {
    err << "herald get: cannot write " << part.string() << '\n';
    if (fd >= 0) ::close(fd);
    return 1;
  }
  std::vector<client::request_spec> requests;
  std::vector<std::unique_ptr<segment_sink>> sinks;
  std::vector<client::content_sink*> sink_pointers;
  const std::uint64_t step = total / o.segments;
  for (unsigned i = 0; i < o.segments; ++i) {
    std::uint64_t a = i * step, b = i + 1 == o.segments ? total - 1 : (i + 1) * step - 1;
    client::request_spec r = base;
    r.fields.set("Range", fmt::format("bytes={}-{}", a, b));
    r.fields.set("If-Range", validator);
    requests.push_back(std::move(r));
    sinks.push_back(std::make_unique<segment_sink>(fd, a, b));
    sink_pointers.push_back(sinks.back().get());
  }
  std::vector<client::http_client::parallel_result> results = http.exchange_all(requests, sink_pointers);
  ::close(fd);
  int status = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    std::string problem = results[i].error ? results[i].error->what() : sinks[i]->error;
    if (problem.empty() && !sinks[i]->whole()) problem = fmt::format("segment {} is short", i);
    if (!problem.empty()) {
      err << "herald get: " << problem << '\n';
      status = 1;
    }
  }
  if (status != 0) {
    std::error_code ec;
    fs::remove(part, ec);
    return status;
  }
  fs::rename(part, file);
  saved_state state{base.url, validator, std::string(head->fields.find("Last-Modified").value_or("")), total, true};
  state.store(meta);
  if (o.request.json) print_json(first, out, 0);
  else if (terminal) err << fmt::format("herald get: {} octets in {} segments\n", total, o.segments);
  return 0;
}

}  // namespace

void add_request_commands(CLI::App& app, request_options& get, request_options& head,
                          request_options& send) {
  CLI::App* g = app.add_subcommand("get", "Fetch a URL: print it, or save it with -o (resumable)");
  g->add_option("url", get.url, "The URL")->required();
  g->add_option("-o,--output", get.output, "Save to FILE (through FILE.part)");
  g->add_flag("-C,--resume", get.resume, "Resume FILE.part (Range + If-Range)");
  g->add_option("--range", get.range, "Only bytes A-B (Range: bytes=A-B)");
  g->add_flag("--revalidate", get.revalidate, "Fetch FILE again only if it changed (If-None-Match / If-Modified-Since)");
  g->add_option("--time-cond", get.time_cond, "If-Modified-Since from this file's modification time");
  g->add_option("--segments", get.segments, "Fetch N ranges at once over N connections")
      ->check(CLI::Range(1u, 16u));
  g->add_flag("-i,--include", get.include, "Print the response head before the content");
  g->add_flag("--fail", get.fail, "Exit 22 when the final status is 4xx or 5xx");
  add_request_flags(*g, get.request);

  CLI::App* h = app.add_subcommand("head", "Send HEAD and print the response head");
  h->add_option("url", head.url, "The URL")->required();
  h->add_flag("--fail", head.fail, "Exit 22 when the final status is 4xx or 5xx");
  add_request_flags(*h, head.request);
  head.method = "HEAD";
  head.include = true;

  CLI::App* s = app.add_subcommand("send", "Send METHOD with content and print the response");
  s->add_option("method", send.method, "The method, e.g. POST")->required();
  s->add_option("url", send.url, "The URL")->required();
  s->add_option("--data-file", send.data_file, "The content: a file, or '-' for standard input");
  s->add_flag("-i,--include", send.include, "Print the response head before the content");
  s->add_flag("--fail", send.fail, "Exit 22 when the final status is 4xx or 5xx");
  add_request_flags(*s, send.request);
}

int run_request(const request_options& o, std::ostream& out, std::ostream& err, bool terminal) {
  const std::string verb = o.method == "HEAD" ? "head" : o.data_file.empty() && o.method == "GET" ? "get" : "send";
  client::request_spec request;
  client::fetch_options fetch_options;
  client::client_options client_options;
  try {
    request = make_request(o.method, o.url, o.request);
    request.body = read_content(o.data_file);
    fetch_options = make_fetch_options(o.request);
    client_options = make_client_options(o.request);
    if (!o.range.empty()) {
      std::size_t dash = o.range.find('-');
      if (dash == std::string::npos || (!number(o.range.substr(0, dash)) && dash != 0) ||
          (dash + 1 < o.range.size() && !number(o.range.substr(dash + 1))))
        throw std::invalid_argument("--range " + o.range + ": expected A-B, A- or -N");
      request.fields.set("Range", "bytes=" + o.range);
    }
    if (!o.time_cond.empty()) {
      struct stat st {};
      if (::stat(o.time_cond.c_str(), &st) != 0)
        throw std::invalid_argument("--time-cond " + o.time_cond + ": no such file");
      request.fields.set("If-Modified-Since",
                         core::format_http_date(std::chrono::sys_seconds(std::chrono::seconds(st.st_mtime))));
    }
    if ((o.resume || o.revalidate || o.segments > 1) && o.output.empty())
      throw std::invalid_argument("-C, --revalidate and --segments need -o FILE");
  } catch (const std::exception& e) {
    err << "herald " << verb << ": " << e.what() << '\n';
    return 2;
  }
  client::http_client http(client_options);
  if (!o.output.empty()) {
    if (o.segments > 1 && o.range.empty() && !o.resume)
      return segmented(o, request, http, fetch_options, out, err, terminal);
    return download(o, request, http, fetch_options, out, err, terminal);
  }
  stdout_sink sink(out, o.include);
  client::fetch_result r = client::fetch(http, request, fetch_options, o.request.json ? nullptr : &sink);
  const int status = exit_status(r, o, err, verb);
  if (o.request.json) return print_json(r, out, status);
  out.flush();
  return status;
}

}  // namespace herald::cli
