#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <system_error>
#include <unistd.h>
#include <unordered_map>

#include <herald/core/etag.hpp>
#include <herald/core/html.hpp>
#include <herald/core/media_type.hpp>
#include <herald/core/negotiation.hpp>
#include <herald/core/safe_path.hpp>
#include <herald/core/syntax.hpp>
#include <herald/handlers/static_files.hpp>
#include <herald/server/clock.hpp>
#include <herald/server/handler.hpp>

#include "handlers/open_beneath.hpp"
#include "net/change_watch.hpp"

namespace herald::handlers {

namespace {

// Files up to this size are read into memory and sent with the head in one writev; larger ones
// go out with sendfile, except ranges within their first `small_file` octets, which are kept in
// memory too.
constexpr std::uint64_t small_file = 16 * 1024;
// The content a GET may carry (it has no meaning there, RFC 9110 §9.3.1, but is read and
// discarded so the connection can go on).
constexpr std::uint64_t max_request_content = 64 * 1024;

constexpr auto builtin_types = std::to_array<std::pair<std::string_view, std::string_view>>({
    {"avif", "image/avif"},      {"css", "text/css"},
    {"csv", "text/csv"},         {"gif", "image/gif"},
    {"gz", "application/gzip"},  {"htm", "text/html"},
    {"html", "text/html"},       {"ico", "image/vnd.microsoft.icon"},
    {"jpeg", "image/jpeg"},      {"jpg", "image/jpeg"},
    {"js", "text/javascript"},   {"json", "application/json"},
    {"md", "text/markdown"},     {"mjs", "text/javascript"},
    {"mp3", "audio/mpeg"},       {"mp4", "video/mp4"},
    {"ogg", "audio/ogg"},        {"otf", "font/otf"},
    {"pdf", "application/pdf"},  {"png", "image/png"},
    {"svg", "image/svg+xml"},    {"ttf", "font/ttf"},
    {"txt", "text/plain"},       {"wasm", "application/wasm"},
    {"webm", "video/webm"},      {"webp", "image/webp"},
    {"woff", "font/woff"},       {"woff2", "font/woff2"},
    {"xml", "application/xml"},  {"zip", "application/zip"},
    {"zst", "application/zstd"},
});

constexpr std::string_view octet_stream = "application/octet-stream";

// Precompressed siblings in the server's order of preference: the first of equally acceptable
// codings wins the negotiation.
struct sibling_kind {
  std::string_view suffix;
  std::string_view coding;  // the Content-Encoding (RFC 9110 §8.4.1, RFC 7932, RFC 8878)
};
constexpr std::array<sibling_kind, 3> sibling_kinds{{
    {".br", "br"},
    {".zst", "zstd"},
    {".gz", "gzip"},
}};

// A descriptor shared by the resource and every file part it produced; closed with the last.
struct descriptor {
  int fd;
  explicit descriptor(int f) : fd(f) {}
  ~descriptor() { ::close(fd); }
  descriptor(const descriptor&) = delete;
  descriptor& operator=(const descriptor&) = delete;
};
using shared_fd = std::shared_ptr<const int>;

shared_fd adopt(int fd) {
  auto owner = std::make_shared<descriptor>(fd);
  return shared_fd(owner, &owner->fd);
}

// O_NONBLOCK: a FIFO must not block the worker; O_NOCTTY: a terminal must not become the
// server's.
constexpr int read_flags = O_RDONLY | O_NONBLOCK | O_NOCTTY;

// .git, .env and other dotfiles are not published unless asked for.
bool has_hidden_segment(std::string_view relative) {
  std::size_t start = 0;
  while (start < relative.size()) {
    std::size_t end = std::min(relative.find('/', start), relative.size());
    if (end > start && relative[start] == '.') return true;
    start = end + 1;
  }
  return false;
}

std::string join_path(std::string_view directory, std::string_view name) {
  std::string out{directory};
  if (!out.empty()) out += '/';
  out += name;
  return out;
}

bool is_unreserved(char c) {
  return core::syntax::is_alpha(c) || core::syntax::is_digit(c) || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// Percent-encodes every octet but the unreserved ones (RFC 3986 §2.3), keeping '/' when
// `keep_slash`: the result is a path (or one segment) with no character HTML or a URI parser
// could read as anything else.
void append_percent_encoded(std::string& out, std::string_view text, bool keep_slash) {
  static constexpr std::string_view hex = "0123456789ABCDEF";
  for (char c : text) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += c;
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    out += '%';
    out += hex[u >> 4];
    out += hex[u & 0xF];
  }
}

void append_hex(std::string& out, std::uint64_t value) {
  std::array<char, 16> buffer{};
  auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, 16);
  out.append(buffer.data(), end);
}

// "2023-11-14T22:13:20Z" (RFC 3339, UTC).
std::string iso_time(std::chrono::sys_seconds t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{t - day};
  std::array<char, 32> buffer{};
  const int n = std::snprintf(
      buffer.data(), buffer.size(), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
      static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
      static_cast<int>(hms.seconds().count()));
  return std::string(buffer.data(), static_cast<std::size_t>(std::max(n, 0)));
}

std::chrono::sys_seconds mtime_of(const struct stat& st) {
  return std::chrono::sys_seconds(std::chrono::seconds(st.st_mtim.tv_sec));
}

bool newer_or_same(const struct stat& a, const struct stat& b) {
  return a.st_mtim.tv_sec != b.st_mtim.tv_sec ? a.st_mtim.tv_sec > b.st_mtim.tv_sec
                                              : a.st_mtim.tv_nsec >= b.st_mtim.tv_nsec;
}

// 64-bit FNV-1a: a listing's strong validator changes whenever one of its bytes does.
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// What every resource of the file server shares: request content it tolerates, and its
// Cache-Control.
class path_resource : public server::resource {
 public:
  explicit path_resource(std::string_view cache_control) : cache_control_(cache_control) {}
  std::uint64_t max_content_size(const server::request&) override { return max_request_content; }
  server::cache_policy caching(const server::request&, std::size_t) override {
    return {cache_control_};
  }

 private:
  std::string_view cache_control_;
};

// A request answered before any representation: a malformed path (400), a forbidden one (403),
// nothing there (404), a directory named without its slash (301), or no descriptor left (503).
class answer_resource final : public path_resource {
 public:
  enum class kind : std::uint8_t { malformed, forbidden, missing, moved, unavailable };

  explicit answer_resource(kind k, std::string text = {})
      : path_resource({}), kind_(k), text_(std::move(text)) {}

  server::availability available(const server::request&) override {
    // Out of descriptors or memory: a temporary overload, worth a retry (RFC 9110 §15.6.4).
    if (kind_ == kind::unavailable) return {false, std::chrono::seconds(1)};
    return {};
  }
  std::optional<std::string> malformed(const server::request&) override {
    if (kind_ == kind::malformed) return text_;
    return std::nullopt;
  }
  bool forbidden(const server::request&) override { return kind_ == kind::forbidden; }
  bool exists(const server::request&) override { return false; }
  std::optional<server::redirect> moved(const server::request&) override {
    // A directory is named with a trailing slash, so relative links inside it resolve; 301
    // since the slash form is the one to keep (RFC 9110 §15.4.2).
    if (kind_ == kind::moved) return server::redirect{text_, true, false};
    return std::nullopt;
  }

 private:
  kind kind_;
  std::string text_;  // the 400's detail or the 301's Location
};

answer_resource::kind kind_for_errno(int error) {
  switch (error) {
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG:
      return answer_resource::kind::missing;
    case EXDEV:  // RESOLVE_BENEATH: the path, through a symlink or "..", leaves the root
    case EACCES:
    case EPERM:
    case ELOOP:
    case ENXIO:  // a socket
    case ENODEV:
    case EOPNOTSUPP:
      return answer_resource::kind::forbidden;
    case EMFILE:
    case ENFILE:
    case ENOMEM:
      return answer_resource::kind::unavailable;
    default:
      throw std::system_error(error, std::generic_category(), "cannot open a file to serve");
  }
}

std::unique_ptr<server::resource> answer(answer_resource::kind k, std::string text = {}) {
  return std::make_unique<answer_resource>(k, std::move(text));
}

// One open file: the identity representation, a precompressed sibling or one of multiviews.
struct opened_file {
  shared_fd fd;
  struct stat st {};
  std::string_view content_type;  // a view into the media type table
  std::string_view coding;        // "" for identity
  std::string language;           // multiviews only: Content-Language
  std::string location;           // multiviews only: Content-Location
  std::string etag;               // the opaque-tag, without quotes
  // The first min(size, small_file) octets, read once when opened: a small file's whole
  // content, a large one's beginning, where media players, PDF viewers and resumed downloads
  // ask for ranges. What it does not hold goes out from the descriptor.
  std::shared_ptr<const std::string> snapshot;

  opened_file(shared_fd f, const struct stat& s, std::string_view type, std::string_view c)
      : fd(std::move(f)), st(s), content_type(type), coding(c) {
    // "<inode>-<size>-<mtime ns>" in hex: see static_files.hpp.
    const auto ns = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000u +
                    static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
    append_hex(etag, static_cast<std::uint64_t>(st.st_ino));
    etag += '-';
    append_hex(etag, static_cast<std::uint64_t>(st.st_size));
    etag += '-';
    append_hex(etag, ns);
    snapshot = read_beginning();
    // A large file that shrank since fstat keeps no snapshot: it goes out from its descriptor,
    // whose shortfall ends the connection (connection.cpp).
    if (size() > small_file && snapshot->size() < small_file) snapshot.reset();
  }

  std::uint64_t size() const { return static_cast<std::uint64_t>(st.st_size); }
  // False when a small file changed between fstat and the read: its snapshot disagrees with
  // the length the headers will carry, and the engine refuses to send it (500).
  bool consistent() const { return !snapshot || size() > small_file || snapshot->size() == size(); }

  // The range as a piece of the snapshot, if the snapshot holds all of it; a small file's
  // snapshot is all there is of it, and a range beyond its end yields what it holds.
  std::optional<server::shared_text> from_snapshot(core::byte_range range) const {
    if (!snapshot) return std::nullopt;
    const std::uint64_t held = snapshot->size();
    if (size() > small_file && range.first + range.size() > held) return std::nullopt;
    const std::uint64_t first = std::min(range.first, held);
    const std::uint64_t length = std::min(range.size(), held - first);
    return server::shared_text{snapshot, static_cast<std::size_t>(first),
                               static_cast<std::size_t>(length)};
  }

 private:
  // Fewer octets than asked for when the file shrank since fstat: see consistent().
  std::shared_ptr<const std::string> read_beginning() const {
    const std::uint64_t length = std::min(size(), small_file);
    std::string content(static_cast<std::size_t>(length), '\0');
    content.resize(server::read_file_part(server::file_part{fd, 0, length}, content.data()));
    return std::make_shared<const std::string>(std::move(content));
  }
};

// The files of one resource and how they are negotiated; fixed once built, so that one set
// can serve every request for its path from the worker's cache.
struct file_set {
  std::vector<opened_file> files;  // precompressed siblings, then the identity file; or views
  std::vector<core::variant> variants;
  bool offers_choice = false;
  std::string_view cache_control;  // a view into the options

  // With siblings, each file becomes a variant that differs in its coding only. The variants'
  // media type has no parameters, so Accept-Charset has no say in choosing among codings.
  void offer_codings() {
    if (files.size() < 2) return;
    if (!offer([](const opened_file& f, core::media_type bare) {
          return core::variant{std::move(bare), f.coding, {}, {}, core::qvalue_max};
        }))
      files.erase(files.begin(), files.end() - 1);
  }

  // Each view is a variant, even alone (a client can exclude it). Charset parameters are left
  // out for the same reason as above.
  void offer_views() {
    offer([](const opened_file& f, core::media_type bare) {
      return core::variant{std::move(bare), {}, f.language, {}, core::qvalue_max};
    });
  }

  bool consistent() const {
    return std::all_of(files.begin(), files.end(),
                       [](const opened_file& f) { return f.consistent(); });
  }

 private:
  // One variant per file, made by `make` from the file and its bare media type; false when a
  // media type does not parse (the files are then not negotiable).
  template <typename Make>
  bool offer(Make make) {
    for (const opened_file& f : files) {
      const std::optional<core::media_type> full = core::parse_media_type(f.content_type);
      if (!full) {
        variants.clear();
        return false;
      }
      core::media_type bare;
      bare.type = full->type;
      bare.subtype = full->subtype;
      variants.push_back(make(f, std::move(bare)));
    }
    return true;
  }
};

// A regular file, with its precompressed siblings as variants when it has any; or the
// multiviews of a path.
class file_resource final : public path_resource {
 public:
  explicit file_resource(std::shared_ptr<const file_set> set)
      : path_resource(set->cache_control), set_(std::move(set)) {}

  std::span<const core::variant> variants(const server::request&) override {
    return set_->variants;
  }
  std::string_view variant_location(const server::request&, std::size_t v) override {
    return set_->files[v].location;
  }
  bool offers_choice(const server::request&) override { return set_->offers_choice; }

  server::validators validators_of(const server::request&, std::size_t v) override {
    const opened_file& f = set_->files[v];
    // Hex digits and '-' (opened_file's constructor): a valid opaque-tag, not checked again
    // on every request.
    return {core::entity_tag{false, f.etag}, mtime_of(f.st)};
  }

  server::representation describe(const server::request&, std::size_t v) override {
    const opened_file& f = set_->files[v];
    return {f.content_type, f.coding, f.language, f.size(), true};
  }

  void produce(const server::request&, std::size_t v, core::byte_range range,
               server::content& out) override {
    const opened_file& f = set_->files[v];
    if (std::optional<server::shared_text> held = f.from_snapshot(range)) {
      if (held->length > 0) out.pieces.emplace_back(std::move(*held));
      return;
    }
    // The connection reads a small part into the buffer of its head, to send both at once.
    out.pieces.emplace_back(server::file_part{f.fd, range.first, range.size()});
  }

 private:
  std::shared_ptr<const file_set> set_;
};

// What locate_path found for a path that names a file (or a directory's index file), kept
// per worker thread so the hot path takes no lock (DESIGN.md's share-nothing workers).
//
// On a server's worker, for a file on a local file system reached through no symbolic link,
// the worker's inotify watch of each directory on the way to the file tells the cache of any
// change (a write, a touch, a chmod, a rename or removal of the file, of a precompressed
// sibling or of a directory above it), and of the creation of a path remembered as missing.
// epoll reports descriptors in the order they became ready, so the report is handled before
// any request whose arrival epoll reports later; a request read at once after the previous
// response, or on a connection already ready before the change, can come first. The entry is
// dropped then, and used until then with no system call. What inotify does not see (a write
// through another name of the file, a hard link elsewhere; through a shared mapping; a mount
// over a directory on the way) is caught within `sibling_recheck`, when the path is looked up
// again from scratch.
//
// Elsewhere (NFS, FUSE and other file systems whose changes may come from another machine, a
// symbolic link on the way, no inotify instance left) a request reuses the entry after one stat
// of the served file's path shows the same file unchanged: inode, device, size, mode,
// modification and change times. Requests that arrived together (server::request::arrival, a
// pipelined batch) share one stat. With static_options::file_cache_valid, the stat is skipped
// for that long after the last one, and a path that named nothing is remembered as missing for
// that long.
struct cached_path {
  std::uint64_t owner = 0;  // the static_files it belongs to (static_files::id_)
  bool directory = false;   // the request named a directory, "docs/"
  std::string served;       // the identity file beneath the root
  struct stat st {};        // its metadata when opened
  std::chrono::steady_clock::time_point resolved;
  std::chrono::steady_clock::time_point checked;  // the last stat that found it unchanged
  std::uint64_t checked_arrival = 0;  // server::request::arrival of the request that did
  // What the path holds; null for a path that named nothing (kept in worker_files::missing,
  // while watched or within static_options::file_cache_valid).
  std::shared_ptr<const file_set> set;
  bool watched = false;  // the worker's inotify watch covers it
};

constexpr auto sibling_recheck = std::chrono::seconds(1);
// Bounds the descriptors and snapshots (16 KiB at most each) a worker holds.
constexpr std::size_t max_cached_paths = 1024;
// Paths that named nothing are kept apart and fewer, so that requests for many missing paths
// (a scanner's) do not push the files being served out of the cache.
constexpr std::size_t max_missing_paths = 256;

bool same_file(const struct stat& a, const struct stat& b) {
  return a.st_ino == b.st_ino && a.st_dev == b.st_dev && a.st_size == b.st_size &&
         a.st_mode == b.st_mode && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
         a.st_mtim.tv_nsec == b.st_mtim.tv_nsec && a.st_ctim.tv_sec == b.st_ctim.tv_sec &&
         a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;
}

struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

using path_cache = std::unordered_map<std::string, cached_path, string_hash, std::equal_to<>>;

// A directory beneath a static_files root that the worker's inotify watch covers.
struct watched_directory {
  std::uint64_t owner = 0;  // static_files::id_
  std::string relative;     // "" for the root
  auto operator<=>(const watched_directory&) const = default;
};

// Below this many watched directories a worker keeps those no cached path lies beneath any
// more, for the paths that come back.
constexpr std::size_t watches_kept = 256;

struct worker_files {
  path_cache cache;
  path_cache missing;
  // Created on the first path cached on a server's worker thread; destroyed with the thread,
  // before the worker's io_context.
  std::optional<net::change_watch> watch;
  bool watch_unavailable = false;  // no inotify instance left: every entry is checked by stat
  std::map<watched_directory, int> watches;
  std::unordered_map<int, std::vector<watched_directory>> directories;  // by watch
  std::size_t sweep_at = watches_kept;  // watches.size() that calls for sweep_watches
};

worker_files& this_worker_files() {
  thread_local worker_files files;
  return files;
}

path_cache& worker_cache() {
  return this_worker_files().cache;
}

// "", "a" and "a/b" for "a/b/x.txt": the directories a path passes through, from the root.
std::vector<std::string_view> directories_above(std::string_view path) {
  std::vector<std::string_view> dirs{std::string_view{}};
  for (std::size_t slash = path.find('/'); slash != std::string_view::npos;
       slash = path.find('/', slash + 1))
    dirs.push_back(path.substr(0, slash));
  return dirs;
}

void forget_watches(worker_files& w) {
  if (w.watch)
    for (const auto& [watch, dirs] : w.directories) w.watch->unwatch(watch);
  w.watches.clear();
  w.directories.clear();
  w.sweep_at = watches_kept;
}

// Ends the watch of one directory name (the kernel's watch too, once no name leads to it).
std::map<watched_directory, int>::iterator forget_watch(
    worker_files& w, std::map<watched_directory, int>::iterator it) {
  const int watch = it->second;
  std::vector<watched_directory>& dirs = w.directories[watch];
  std::erase(dirs, it->first);
  if (dirs.empty()) {
    w.directories.erase(watch);
    w.watch->unwatch(watch);
  }
  return w.watches.erase(it);
}

// Starts a full table over: the files' with every watch, or the missing paths', which need
// no watch the files do not. Before a path's watches are set up: starting over forgets them.
void make_room(bool for_missing) {
  worker_files& w = this_worker_files();
  if (for_missing) {
    if (w.missing.size() >= max_missing_paths) w.missing.clear();
    return;
  }
  if (w.cache.size() < max_cached_paths) return;
  w.cache.clear();
  w.missing.clear();
  forget_watches(w);
}

void remember(const std::string& relative, cached_path entry) {
  const bool missing = entry.set == nullptr;
  make_room(missing);
  worker_files& w = this_worker_files();
  (missing ? w.missing : w.cache).insert_or_assign(relative, std::move(entry));
}

// Whether a change to `changed` can change what `path` names: it is the path, a directory
// above it or, when `siblings`, a precompressed sibling ("a/x.txt.gz" for "a/x.txt").
bool affected_by(std::string_view path, std::string_view changed, bool siblings) {
  if (changed.empty()) return true;  // the root
  if (path.starts_with(changed))
    return path.size() == changed.size() || path[changed.size()] == '/';
  return siblings && changed.starts_with(path) && changed[path.size()] == '.';
}

// The watches of `changed` and of the directories beneath it end: they would report what
// happens under names that no longer lead there.
void forget_watches_beneath(worker_files& w, std::uint64_t owner, std::string_view changed) {
  for (auto it = w.watches.begin(); it != w.watches.end();) {
    if (it->first.owner == owner && affected_by(it->first.relative, changed, false))
      it = forget_watch(w, it);
    else
      ++it;
  }
}

// Entries go (changed, looked up again, replaced) without their directories' watches, which
// would otherwise pile up on every directory ever served, against the user's
// max_user_watches; past twice what is needed, those no cached path lies beneath end.
void sweep_watches(worker_files& w) {
  if (w.watches.size() < w.sweep_at) return;
  std::set<watched_directory> needed;
  for (const path_cache* table : {&w.cache, &w.missing})
    for (const auto& [relative, entry] : *table)
      if (entry.watched)
        for (std::string_view dir : directories_above(entry.set ? entry.served : relative))
          needed.insert({entry.owner, std::string(dir)});
  for (auto it = w.watches.begin(); it != w.watches.end();)
    it = needed.contains(it->first) ? std::next(it) : forget_watch(w, it);
  w.sweep_at = std::max(watches_kept, 2 * w.watches.size());
}

void on_change(int watch, std::string_view name) noexcept {
  worker_files& w = this_worker_files();
  try {
    if (watch == net::change_watch::lost) throw std::runtime_error("inotify lost events");
    const auto found = w.directories.find(watch);
    if (found == w.directories.end()) return;  // a watch already forgotten
    const std::vector<watched_directory> dirs = found->second;
    for (const watched_directory& dir : dirs) {
      const std::string changed = name.empty() ? dir.relative : join_path(dir.relative, name);
      const auto affected = [&](const auto& item) {
        const cached_path& entry = item.second;
        return entry.owner == dir.owner &&
               ((entry.set && affected_by(entry.served, changed, true)) ||
                affected_by(item.first, changed, false));
      };
      std::erase_if(w.cache, affected);
      std::erase_if(w.missing, affected);
      forget_watches_beneath(w, dir.owner, changed);
    }
  } catch (const std::exception&) {
    // Whatever the cache holds may be stale now.
    w.cache.clear();
    w.missing.clear();
    forget_watches(w);
  }
}

net::change_watch* worker_watch() {
  worker_files& w = this_worker_files();
  if (!w.watch) {
    asio::io_context* loop = server::this_worker_loop();
    if (loop == nullptr || w.watch_unavailable) return nullptr;
    try {
      w.watch.emplace(*loop, on_change);
    } catch (const std::system_error&) {
      w.watch_unavailable = true;
      return nullptr;
    }
  }
  if (!w.watch->working()) return nullptr;
  sweep_watches(w);
  return &*w.watch;
}

// The directory `dir` beneath the root `root_fd` as a path for inotify and statfs: through the
// root's descriptor, which stays the root if the root is renamed; a final "." keeps /proc's
// link to the root from being taken instead of the root itself.
std::string beneath_root(int root_fd, std::string_view dir) {
  std::string path = "/proc/self/fd/" + std::to_string(root_fd) + "/";
  path += dir.empty() ? std::string_view(".") : dir;
  return path;
}

// Watches the directory `dir` beneath the root `root_fd` for `owner`: 0, or -1 with errno.
int watch_directory(worker_files& w, net::change_watch& watch, std::uint64_t owner, int root_fd,
                    std::string_view dir) {
  watched_directory key{owner, std::string(dir)};
  if (w.watches.contains(key)) return 0;
  const int id = watch.watch_directory(beneath_root(root_fd, dir).c_str());
  if (id < 0) return -1;
  w.directories[id].push_back(key);
  w.watches.emplace(std::move(key), id);
  return 0;
}

// Whether the worker's inotify watch now covers `served`, beneath the root `root_fd`: the
// file `st` that the descriptor `fd` holds. Each directory on the way is watched under its name,
// not followed if it is a symbolic link, from the root down.
bool watch_served(std::uint64_t owner, int root_fd, const std::string& served, int fd,
                  const struct stat& st) {
  net::change_watch* watch = worker_watch();
  struct statfs fs {};
  if (watch == nullptr || ::fstatfs(fd, &fs) != 0 || !net::inotify_sees_every_change(fs))
    return false;
  worker_files& w = this_worker_files();
  for (std::string_view dir : directories_above(served))
    if (watch_directory(w, *watch, owner, root_fd, dir) != 0) return false;
  // The watches came after the open, so a change in between went unreported: the path must
  // still name the file opened, and not through a symbolic link.
  struct stat current {};
  return ::fstatat(root_fd, served.c_str(), &current, AT_SYMLINK_NOFOLLOW) == 0 &&
         same_file(current, st);
}

// Whether the worker's inotify watch now covers `relative`, beneath the root `root_fd`, which
// names nothing: each directory on the way that exists is watched, so that the name that
// would create the path is reported, and the path still names nothing.
bool watch_missing(std::uint64_t owner, int root_fd, const std::string& relative) {
  net::change_watch* watch = worker_watch();
  if (watch == nullptr) return false;
  worker_files& w = this_worker_files();
  std::string_view deepest;
  for (std::string_view dir : directories_above(relative)) {
    if (watch_directory(w, *watch, owner, root_fd, dir) == 0) {
      deepest = dir;
      continue;
    }
    if (errno != ENOENT) return false;  // ENOTDIR: a symbolic link, whose target goes unwatched
    break;
  }
  struct statfs fs {};
  if (::statfs(beneath_root(root_fd, deepest).c_str(), &fs) != 0 ||
      !net::inotify_sees_every_change(fs))
    return false;
  struct stat st {};
  return ::fstatat(root_fd, relative.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 &&
         (errno == ENOENT || errno == ENOTDIR);
}

// open_beneath, but out of descriptors the worker's cache lets go of those it holds (a response
// being sent keeps its own) and the open is tried once more: without it, a worker that has
// cached as many files as the process may open could open no other.
int open_served(int root_fd, const char* path, int flags) {
  int fd = open_beneath(root_fd, path, flags);
  if (fd < 0 && (errno == EMFILE || errno == ENFILE) && !worker_cache().empty()) {
    worker_cache().clear();
    fd = open_beneath(root_fd, path, flags);
  }
  return fd;
}

std::atomic<std::uint64_t> next_static_files_id{1};

// Whether a request can name the file `name`: the same mapping a request goes through gives
// it back (no control characters, invalid UTF-8 or backslashes).
bool is_reachable_name(std::string_view name) {
  std::string href = "/";
  append_percent_encoded(href, name, false);
  const core::safe_path_result mapped = core::map_safe_path(href);
  return mapped && mapped.path.relative == name;
}

// A language tag as a file extension: a primary subtag of 2–3 letters, optionally one more
// subtag of 2–8 letters or digits ("en", "pt-br", "es-419"): the common subset of RFC 5646.
bool is_language_extension(std::string_view text) {
  const std::size_t dash = text.find('-');
  const std::string_view primary = text.substr(0, dash);
  if (primary.size() < 2 || primary.size() > 3) return false;
  for (char c : primary)
    if (!core::syntax::is_alpha(c)) return false;
  if (dash == std::string_view::npos) return true;
  const std::string_view region = text.substr(dash + 1);
  if (region.size() < 2 || region.size() > 8) return false;
  for (char c : region)
    if (!core::syntax::is_alpha(c) && !core::syntax::is_digit(c)) return false;
  return true;
}

bool is_coding_extension(std::string_view extension) {
  for (const sibling_kind& k : sibling_kinds)
    if (k.suffix.substr(1) == extension) return true;
  return false;
}

struct listing_entry {
  std::string name;
  bool directory = false;
  std::uint64_t size = 0;
  std::chrono::sys_seconds modified{};
};

// The entries of the directory open as `dir_fd`, whose path beneath the root is `relative`.
std::vector<listing_entry> read_entries(int root_fd, int dir_fd, const std::string& relative,
                                        bool show_hidden) {
  std::vector<listing_entry> entries;
  const int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot list a directory");
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    const int error = errno;
    ::close(fd);
    throw std::system_error(error, std::generic_category(), "cannot list a directory");
  }
  while (const dirent* e = ::readdir(dir)) {
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (!show_hidden && name.front() == '.') continue;
    if (!is_reachable_name(name)) continue;
    struct stat st {};
    if (::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      // Shown as what it leads to, if that lies beneath the root (else it would be 403).
      const int target = open_served(root_fd, join_path(relative, name).c_str(), read_flags);
      if (target < 0) continue;
      const bool ok = ::fstat(target, &st) == 0;
      ::close(target);
      if (!ok) continue;
    }
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) continue;
    entries.push_back({std::string(name), S_ISDIR(st.st_mode),
                       static_cast<std::uint64_t>(st.st_size), mtime_of(st)});
  }
  ::closedir(dir);
  std::sort(entries.begin(), entries.end(), [](const listing_entry& a, const listing_entry& b) {
    if (a.directory != b.directory) return a.directory;
    return a.name < b.name;
  });
  return entries;
}

std::string entry_href(const listing_entry& e) {
  std::string href;
  append_percent_encoded(href, e.name, false);
  if (e.directory) href += '/';
  return href;
}

std::string listing_html(std::string_view path, const std::vector<listing_entry>& entries) {
  const std::string title = "Index of " + core::html_escape(path);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  out += title;
  out += "</title>\n</head>\n<body>\n<h1>";
  out += title;
  out +=
      "</h1>\n<table>\n<thead><tr><th>Name</th><th>Size</th><th>Modified (UTC)</th></tr></thead>"
      "\n<tbody>\n";
  if (path != "/") out += "<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n";
  for (const listing_entry& e : entries) {
    const std::string display = core::html_escape(e.name) + (e.directory ? "/" : "");
    const std::string when = iso_time(e.modified);
    out += "<tr><td><a href=\"";
    out += entry_href(e);
    out += "\">";
    out += display;
    out += "</a></td><td>";
    out += e.directory ? std::string("-") : std::to_string(e.size);
    out += "</td><td><time datetime=\"";
    out += when;
    out += "\">";
    out += when;
    out += "</time></td></tr>\n";
  }
  out += "</tbody>\n</table>\n</body>\n</html>\n";
  return out;
}

std::string listing_json(std::string_view path, const std::vector<listing_entry>& entries) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const listing_entry& e : entries) {
    nlohmann::ordered_json item = {{"name", e.name},
                                   {"type", e.directory ? "directory" : "file"},
                                   {"href", entry_href(e)},
                                   {"modified", iso_time(e.modified)}};
    if (!e.directory) item["size"] = e.size;
    list.push_back(std::move(item));
  }
  const nlohmann::ordered_json doc = {{"path", path}, {"entries", std::move(list)}};
  return doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

constexpr std::array<std::string_view, 2> listing_types{"text/html; charset=utf-8",
                                                        "application/json"};

// HTML first: the server's choice when Accept does not decide (browsers, curl).
std::span<const core::variant> listing_variants() {
  static const std::array<core::variant, 2> variants{
      core::variant{*core::parse_media_type("text/html"), {}, {}, {}, core::qvalue_max},
      core::variant{*core::parse_media_type("application/json"), {}, {}, {}, core::qvalue_max}};
  return variants;
}

// A directory listing, negotiated by Accept between HTML and JSON. Each form is built when the
// engine first asks about it.
class listing_resource final : public path_resource {
 public:
  listing_resource(std::string_view cache_control, std::string path,
                   std::vector<listing_entry> entries)
      : path_resource(cache_control), path_(std::move(path)), entries_(std::move(entries)) {}

  std::span<const core::variant> variants(const server::request&) override {
    return listing_variants();
  }
  server::validators validators_of(const server::request&, std::size_t v) override {
    return {core::make_strong_tag(built(v).etag), std::nullopt};
  }
  server::representation describe(const server::request&, std::size_t v) override {
    return {listing_types[v], {}, {}, built(v).text.size(), true};
  }
  void produce(const server::request&, std::size_t v, core::byte_range range,
               server::content& out) override {
    out.pieces.emplace_back(built(v).text.substr(range.first, range.size()));
  }

 private:
  struct form {
    std::string text;
    std::string etag;
    bool ready = false;
  };

  const form& built(std::size_t v) {
    form& f = forms_[v];
    if (!f.ready) {
      f.text = v == 0 ? listing_html(path_, entries_) : listing_json(path_, entries_);
      f.etag = "l-";
      append_hex(f.etag, fnv1a(f.text));
      f.ready = true;
    }
    return f;
  }

  std::string path_;  // decoded, with its trailing slash
  std::vector<listing_entry> entries_;
  std::array<form, 2> forms_;
};

bool rule_matches(std::string_view pattern, std::string_view path) {
  if (pattern == "*") return true;
  if (pattern.starts_with('*')) return path.ends_with(pattern.substr(1));
  if (pattern.ends_with('*')) return path.starts_with(pattern.substr(0, pattern.size() - 1));
  return path == pattern;
}

}  // namespace

std::optional<cache_rule> parse_cache_rule(std::string_view text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string_view::npos) return std::nullopt;
  const std::string_view pattern = text.substr(0, equals);
  const std::string_view value = core::syntax::trim_ows(text.substr(equals + 1));
  if (pattern.empty() || value.empty() || !core::syntax::is_field_value(value)) return std::nullopt;
  return cache_rule{std::string(pattern), std::string(value)};
}

media_type_table::media_type_table() {
  for (const auto& [extension, type] : builtin_types) add(type, extension);
}

void media_type_table::add(std::string_view type, std::string_view extension) {
  if (extension.empty()) return;
  std::string key(extension);
  for (char& c : key) c = core::syntax::to_lower(c);
  std::string value(type);
  // Text without a declared charset is UTF-8 here (RFC 6657 leaves the default to each text
  // subtype, and several default to US-ASCII).
  if (value.size() > 5 && core::syntax::iequals(value.substr(0, 5), "text/") &&
      value.find(';') == std::string::npos)
    value += "; charset=utf-8";
  auto at =
      std::lower_bound(entries_.begin(), entries_.end(), key,
                       [](const auto& entry, const std::string& k) { return entry.first < k; });
  if (at != entries_.end() && at->first == key)
    at->second = std::move(value);
  else
    entries_.emplace(at, std::move(key), std::move(value));
}

bool media_type_table::load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    if (const std::size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string type;
    if (!(words >> type)) continue;
    const std::optional<core::media_type> parsed = core::parse_media_type(type);
    if (!parsed || !parsed->parameters.empty()) continue;
    for (std::string extension; words >> extension;) add(type, extension);
  }
  return true;
}

std::string_view media_type_table::lookup(std::string_view file_name) const {
  const std::size_t slash = file_name.rfind('/');
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  const std::size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return octet_stream;
  const std::string_view type = for_extension(file_name.substr(dot + 1));
  return type.empty() ? octet_stream : type;
}

std::string_view media_type_table::for_extension(std::string_view extension) const {
  std::array<char, 32> lower{};
  if (extension.empty() || extension.size() > lower.size()) return {};
  for (std::size_t i = 0; i < extension.size(); ++i)
    lower[i] = core::syntax::to_lower(extension[i]);
  const std::string_view key(lower.data(), extension.size());
  auto at = std::lower_bound(entries_.begin(), entries_.end(), key,
                             [](const auto& entry, std::string_view k) { return entry.first < k; });
  if (at == entries_.end() || at->first != key) return {};
  return at->second;
}

std::string_view media_type_for(std::string_view file_name) {
  static const media_type_table builtin;
  return builtin.lookup(file_name);
}

static_files::static_files(static_options options)
    : options_(std::move(options)), id_(next_static_files_id.fetch_add(1)) {
  root_fd_ = ::open(options_.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd_ < 0)
    throw std::system_error(errno, std::generic_category(),
                            "cannot open the root directory " + options_.root.string());
  if (!options_.mime_types.empty()) types_.load(options_.mime_types);
}

static_files::~static_files() {
  ::close(root_fd_);
}

std::string_view static_files::cache_control_for(std::string_view path) const {
  for (const cache_rule& rule : options_.cache_rules)
    if (rule_matches(rule.pattern, path)) return rule.value;
  return {};
}

void static_files::finish(const server::request& r, server::response& out) {
  out.fields.add(core::field_name("X-Content-Type-Options"), "nosniff");
  if (!options_.rules.has_early_hints()) return;
  const core::safe_path_result mapped = core::map_safe_path(r.head.path);
  if (!mapped) return;
  if (std::optional<server::interim_response> hints = options_.rules.early_hints(mapped.path))
    out.interim.push_back(std::move(*hints));
}

std::unique_ptr<server::resource> static_files::locate(const server::request& r) {
  const core::safe_path_result mapped = core::map_safe_path(r.head.path);
  if (!mapped)
    return answer(answer_resource::kind::malformed, std::string(core::describe(mapped.error)));
  if (options_.rules.empty()) return locate_path(r, mapped.path);
  const rule_match rules = options_.rules.match(mapped.path);
  std::unique_ptr<server::resource> target =
      rules.answer != nullptr ? make_rule_resource(*rules.answer) : locate_path(r, mapped.path);
  if (rules.require_precondition) return requiring_precondition(std::move(target));
  return target;
}

std::unique_ptr<server::resource> static_files::cached_resource(
    const server::request& r, const core::safe_path& mapped,
    std::chrono::steady_clock::time_point now) {
  worker_files& w = this_worker_files();
  path_cache* table = &w.cache;
  auto hit = table->find(std::string_view(mapped.relative));
  if (hit == table->end()) {
    table = &w.missing;
    hit = table->find(std::string_view(mapped.relative));
    if (hit == table->end()) return nullptr;
  }
  cached_path& entry = hit->second;
  if (entry.owner == id_ && entry.directory == mapped.directory) {
    // A watched path is looked up again each `sibling_recheck` all the same, for the changes
    // inotify does not report.
    const std::chrono::steady_clock::duration kept =
        entry.watched ? sibling_recheck
                      : std::max<std::chrono::steady_clock::duration>(sibling_recheck,
                                                                      options_.file_cache_valid);
    if (!entry.set) {
      if (now - entry.resolved < (entry.watched ? sibling_recheck : options_.file_cache_valid))
        return answer(answer_resource::kind::missing);
    } else if (now - entry.resolved < kept) {
      if (entry.watched || now - entry.checked < options_.file_cache_valid ||
          (r.arrival != 0 && r.arrival == entry.checked_arrival))
        return std::make_unique<file_resource>(entry.set);
      struct stat current {};
      if (::fstatat(root_fd_, entry.served.c_str(), &current, 0) == 0 &&
          same_file(current, entry.st)) {
        entry.checked = now;
        entry.checked_arrival = r.arrival;
        return std::make_unique<file_resource>(entry.set);
      }
    }
  }
  table->erase(hit);
  return nullptr;
}

std::unique_ptr<server::resource> static_files::locate_path(const server::request& r,
                                                            const core::safe_path& mapped) {
  using kind = answer_resource::kind;
  const std::string& relative = mapped.relative;
  if (!options_.show_hidden && has_hidden_segment(relative)) return answer(kind::missing);

  const auto now = server::coarse_steady_now();
  if (std::unique_ptr<server::resource> cached = cached_resource(r, mapped, now)) return cached;

  const int fd = open_served(root_fd_, relative.empty() ? "." : relative.c_str(), read_flags);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT && options_.multiviews && !mapped.directory && !relative.empty())
      if (std::unique_ptr<server::resource> views = locate_views(relative)) return views;
    // While the watch would report its creation, or within the window nginx's
    // open_file_cache_errors would give it, a missing path stays missing without another open.
    if (error == ENOENT && !options_.multiviews) {
      make_room(true);
      const bool watched = watch_missing(id_, root_fd_, relative);
      if (watched || options_.file_cache_valid.count() > 0)
        remember(relative,
                 cached_path{id_, mapped.directory, {}, {}, now, now, 0, nullptr, watched});
    }
    return answer(kind_for_errno(error));
  }
  shared_fd owner = adopt(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return answer(kind_for_errno(errno));

  std::string path = "/" + relative;  // decoded, for cache rules and the listing's title
  std::string file = relative;        // the file to serve, beneath the root
  if (S_ISDIR(st.st_mode)) {
    if (!mapped.directory) {
      // Rebuilt from the mapped path, not the raw one: "//host" would be a network-path
      // reference (RFC 3986 §4.2), an open redirect.
      std::string location = "/";
      append_percent_encoded(location, relative, true);
      location += '/';
      if (r.head.has_query) location.append("?").append(r.head.query);
      return answer(kind::moved, std::move(location));
    }
    if (!relative.empty()) path += '/';
    file = join_path(relative, options_.index);
    const int index = open_served(root_fd_, file.c_str(), read_flags);
    if (index < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOMEM))
      return answer(kind::unavailable);
    struct stat index_st {};
    if (index >= 0 && ::fstat(index, &index_st) == 0 && S_ISREG(index_st.st_mode)) {
      owner = adopt(index);
      st = index_st;
    } else {
      if (index >= 0) ::close(index);
      if (!options_.listings) return answer(kind::forbidden);
      return std::make_unique<listing_resource>(
          cache_control_for(path), path,
          read_entries(root_fd_, fd, relative, options_.show_hidden));
    }
  } else if (!S_ISREG(st.st_mode)) {
    return answer(kind::forbidden);  // a FIFO, socket or device
  } else if (mapped.directory) {
    return answer(kind::missing);  // "/file/" names a directory that does not exist
  }

  const std::string_view content_type = types_.lookup(file);
  auto set = std::make_shared<file_set>();
  set->cache_control = cache_control_for(path);
  if (options_.precompressed) {
    std::string sibling;
    for (const sibling_kind& k : sibling_kinds) {
      sibling = file;
      sibling += k.suffix;
      const int sibling_fd = open_served(root_fd_, sibling.c_str(), read_flags);
      if (sibling_fd < 0) continue;
      shared_fd sibling_owner = adopt(sibling_fd);
      struct stat sibling_st {};
      if (::fstat(sibling_fd, &sibling_st) != 0 || !S_ISREG(sibling_st.st_mode)) continue;
      // A sibling older than its file was compressed from an earlier version.
      if (!newer_or_same(sibling_st, st)) continue;
      set->files.emplace_back(std::move(sibling_owner), sibling_st, content_type, k.coding);
    }
  }
  set->files.emplace_back(std::move(owner), st, content_type, std::string_view{});
  set->offer_codings();
  if (set->consistent()) {
    make_room(false);
    const bool watched = watch_served(id_, root_fd_, file, *set->files.back().fd, st);
    remember(relative, cached_path{id_, mapped.directory, std::move(file), st, now, now, r.arrival,
                                   set, watched});
  }
  return std::make_unique<file_resource>(std::move(set));
}

std::unique_ptr<server::resource> static_files::locate_views(const std::string& relative) {
  const std::size_t slash = relative.rfind('/');
  const std::string directory = slash == std::string::npos ? "" : relative.substr(0, slash);
  const std::string_view base =
      std::string_view(relative).substr(slash == std::string::npos ? 0 : slash + 1);

  const int dir_fd = open_served(root_fd_, directory.empty() ? "." : directory.c_str(), read_flags);
  if (dir_fd < 0) return nullptr;
  DIR* dir = ::fdopendir(dir_fd);
  if (dir == nullptr) {
    ::close(dir_fd);
    return nullptr;
  }
  struct view_name {
    std::string name;
    std::string_view content_type;
    std::string language;
  };
  std::vector<view_name> names;
  while (const dirent* e = ::readdir(dir)) {
    const std::string_view name = e->d_name;
    if (name.size() <= base.size() + 1 || !name.starts_with(base) || name[base.size()] != '.')
      continue;
    if (!is_reachable_name(name)) continue;
    view_name view{std::string(name), {}, {}};
    bool valid = true;
    for (std::string_view rest = name.substr(base.size() + 1); valid && !rest.empty();) {
      const std::size_t dot = rest.find('.');
      const std::string_view extension = rest.substr(0, dot);
      rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
      if (is_coding_extension(extension)) {
        valid = false;
      } else if (const std::string_view type = types_.for_extension(extension); !type.empty()) {
        valid = view.content_type.empty();
        view.content_type = type;
      } else if (is_language_extension(extension)) {
        valid = view.language.empty();
        view.language = extension;
      } else {
        valid = false;
      }
    }
    if (valid && !view.content_type.empty()) names.push_back(std::move(view));
  }
  ::closedir(dir);
  if (names.empty()) return nullptr;
  std::sort(names.begin(), names.end(),
            [](const view_name& a, const view_name& b) { return a.name < b.name; });

  auto set = std::make_shared<file_set>();
  set->cache_control = cache_control_for("/" + relative);
  set->offers_choice = options_.offer_choice;
  for (view_name& view : names) {
    const std::string file = join_path(directory, view.name);
    const int fd = open_served(root_fd_, file.c_str(), read_flags);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
        return answer(answer_resource::kind::unavailable);
      continue;  // gone since readdir, or a symlink out of the root
    }
    shared_fd owner = adopt(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) continue;
    opened_file f(std::move(owner), st, view.content_type, {});
    f.language = std::move(view.language);
    f.location = "/";
    append_percent_encoded(f.location, file, true);
    set->files.push_back(std::move(f));
  }
  if (set->files.empty()) return nullptr;
  set->offer_views();
  return std::make_unique<file_resource>(std::move(set));
}

}  // namespace herald::handlers
