#pragma once
// The file server of `herald serve`, as a resource locator (server/resource_handler.hpp): each
// request names a file, a directory or nothing under a root, and the decision engine answers
// conditional requests, ranges, negotiation and refusals. Put it behind a
// server::resource_handler:
//
//   handlers::static_files files(options);
//   server::resource_handler handler(files, {.trace = options.trace});
//
// What a request gets:
// - Methods: GET, HEAD and OPTIONS; any other known method 405 with Allow.
// - Paths: core::map_safe_path (a malformed or escaping path is 400); a dotfile or a path
//   through a dot directory is 404 unless `show_hidden`; every open resolves beneath the root
//   (openat2 RESOLVE_BENEATH), so a symlink that leaves the root is 403; a FIFO, socket or
//   device is 403; "/file/" is 404.
// - A regular file: Content-Type by extension (mime.types, see media_type_table), a strong
//   ETag, Last-Modified (the engine clamps it to Date), Accept-Ranges, ranges and preconditions,
//   Cache-Control from the first matching cache_rule, and `X-Content-Type-Options: nosniff` on
//   every response. The ETag is `"<inode>-<size>-<mtime>"`, each lowercase hexadecimal, the
//   mtime in nanoseconds since the epoch (two's complement for dates before 1970): any change
//   of content through write, rename or replacement changes one of them.
// - Precompressed siblings: when "F.br", "F.zst" or "F.gz" lies next to F as a regular file
//   at least as new as F, F is negotiated by Accept-Encoding (`Vary: Accept-Encoding`): the
//   sibling goes out with `Content-Encoding: br`, `zstd` or `gzip`, F's Content-Type, and its
//   own ETag, length and ranges. br is preferred, then zstd, gzip, identity; a request without
//   Accept-Encoding gets F itself. A sibling older than F is stale and not offered.
// - A directory: without its trailing slash 301 to the slash form, query kept; with it, its
//   index file, else a listing (HTML, or JSON by Accept) or 403 when listings are off.
// - Listings: directories first, then files, each group sorted by name (byte order); names
//   escaped (HTML) and percent-encoded (links); sizes in octets and modification times in
//   UTC (ISO 8601); dotfiles only with `show_hidden`; symlinks shown with their target's
//   metadata when it lies beneath the root, else left out; names no request could reach
//   (control characters, invalid UTF-8, backslashes) left out. A listing's ETag is a hash of
//   its content; it has no Last-Modified, since no single date covers its entries' metadata.
// - Content: the first 16 KiB of every file are read once with pread right after fstat (a
//   snapshot, shared by every response that sends from it): a file up to 16 KiB is sent from
//   it whole, and so is a range within the first 16 KiB of a larger file, where media
//   players, PDF viewers and resumed downloads ask. The rest of a larger file goes out from the
//   descriptor opened for it: sendfile, or for a small range a pread into the buffer of the
//   head. Either way head and small content leave in one send. Lengths come from fstat of
//   that descriptor, and the engine checks the content produced against them; a file that
//   shrinks under sendfile ends the connection (connection.cpp).
// - An open-file cache per worker thread (no lock): a path that named a file, or a
//   directory's index file, keeps its descriptors, metadata and snapshot. On a server's worker,
//   for a file on a local file system reached through no symbolic link, the next request for
//   it costs no system call: the worker's inotify watch of the directories on the way reports
//   an edit, a touch, a replacement by rename, a removal, a precompressed sibling that comes or
//   goes, or a directory above renamed, in practice before the next request (exactly: before
//   any request whose arrival epoll reports later). A path that named nothing is remembered
//   the same way, until something creates it. Elsewhere the next request costs one stat of the
//   path, compared with the cached file (inode, device, size, mode, modification and change
//   times), which sees the same changes (requests that arrived in one read, a pipelined batch,
//   share one stat). Either way each path is looked up again from scratch at least once a
//   second, which catches what neither sees (a write through another name of the file, or
//   through a shared mapping). Up to 1024 paths per worker; when full, or when an open finds no
//   descriptor left (EMFILE), the cache starts over. Up to 256 paths that named nothing are
//   kept apart, so that requests for many of them (a scanner's) do not push files out. Where
//   the stat is made, `file_cache_valid` trades that exactness for one system call less per
//   request.
// - Multiviews (`multiviews`, off by default): a path that names nothing, "/docs/guide", is
//   answered from the files of its directory named "guide.EXT" or "guide.EXT.LANG" (in either
//   order), where EXT is an extension of the media type table and LANG a language tag ("en",
//   "pt-br"). Each file is a variant with its media type and Content-Language, negotiated by
//   Accept and Accept-Language (Vary names the dimensions they differ in) and sent with
//   Content-Location naming the file. Ties go to the first file by name, or, with
//   `offer_choice`, to a 300 listing every view with Location of the first. Names with a
//   precompressed suffix, two media extensions or an unknown extension are not views; a
//   client that accepts none of the views gets 406 with the list.
// - Path rules (path_rules.hpp), matched on the mapped path before anything else is looked at,
//   dotfiles included: a gone, blocked or redirect rule answers without touching the
//   filesystem; require-precondition wraps whatever the path holds (which, allowing only GET,
//   HEAD and OPTIONS, answers an unsafe method 405 before the engine asks); early-hints adds a
//   103 to every response for the path (finish()).
// - Errors while opening: EMFILE, ENFILE and ENOMEM give 503 with `Retry-After: 1`; an
//   unexpected errno throws std::system_error (a 500 from the connection layer).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <herald/core/safe_path.hpp>
#include <herald/handlers/path_rules.hpp>
#include <herald/server/resource_handler.hpp>

namespace herald::handlers {

// Cache-Control for the paths a pattern matches.
struct cache_rule {
  // Matched against the decoded request path ("/docs/a b.css"): "*.css" is a suffix match,
  // "/assets/*" a prefix match, "*" matches every path, anything else the exact path.
  std::string pattern;
  std::string value;  // the Cache-Control field value, e.g. "max-age=3600"
};

// "PATTERN=VALUE", split at the first '=', as `--cache-control` takes it. std::nullopt when
// either side is empty or the value cannot be a field value (a CR or LF, say).
std::optional<cache_rule> parse_cache_rule(std::string_view text);

struct static_options {
  std::filesystem::path root = ".";
  std::string index = "index.html";
  bool show_hidden = false;
  bool listings = true;       // false: a directory without an index file is 403
  bool precompressed = true;  // offer .br/.zst/.gz siblings
  // A path that names nothing is negotiated among the files named like it plus extensions
  // ("doc" → doc.html, doc.pdf, doc.en.html, doc.fr.html), as Apache's MultiViews does.
  bool multiviews = false;
  // With multiviews, a request whose Accept fields prefer none of the views gets 300 with the
  // list of them and Location of the first, instead of the first (RFC 9110 §15.4.1).
  bool offer_choice = false;
  // How long a worker serves a cached file without the stat that checks its path (nginx's
  // open_file_cache_valid), where the worker's inotify watch cannot cover it: a change is then
  // seen within this time, or within a second for a precompressed sibling, whichever is longer.
  // A path that named nothing stays 404 as long (nginx's open_file_cache_errors). 0: every
  // request checks (the default).
  std::chrono::milliseconds file_cache_valid{0};
  std::vector<cache_rule> cache_rules;  // the first match wins; none matching: no Cache-Control
  path_rules rules;                     // gone, blocked, redirect, ... (path_rules.hpp)
  // A mime.types file (one "type ext ext..." per line, '#' comments), read once by the
  // constructor over the built-in table; empty or unreadable: the built-in table alone.
  std::filesystem::path mime_types = "/etc/mime.types";
  // For the handler built around the locator (server::resource_handler_options::trace):
  // `herald serve --trace` keeps its file-serving switches in one place.
  bool trace = false;
};

// Media types by file extension. Text types get "; charset=utf-8". Lookups allocate nothing.
class media_type_table {
 public:
  // The built-in table (the common web types).
  media_type_table();

  // Adds the entries of a mime.types file; an extension it names replaces the built-in entry.
  // Returns false, changing nothing, when the file cannot be read.
  bool load(const std::filesystem::path& file);
  // Adds one mapping ("text/css", "css"); the extension is compared case-insensitively.
  void add(std::string_view type, std::string_view extension);

  // The Content-Type for a file name, by its last extension; application/octet-stream when
  // unknown. Views into the table.
  std::string_view lookup(std::string_view file_name) const;
  // The Content-Type for an extension without its dot ("html"); "" when unknown.
  std::string_view for_extension(std::string_view extension) const;

 private:
  void sort();
  std::vector<std::pair<std::string, std::string>> entries_;  // extension (lower case), type
};

// The built-in table's Content-Type for a file name (media_type_table().lookup(file_name)).
std::string_view media_type_for(std::string_view file_name);

class static_files final : public server::resource_locator {
 public:
  // Opens the root and reads the mime.types file. Throws std::system_error when the root
  // cannot be opened.
  explicit static_files(static_options options);
  ~static_files() override;
  static_files(const static_files&) = delete;
  static_files& operator=(const static_files&) = delete;

  std::unique_ptr<server::resource> locate(const server::request& r) override;
  // X-Content-Type-Options: nosniff on every response (a browser must not run a text file as
  // script because it looks like one), and the 103 of the early-hints rules for the path.
  void finish(const server::request& r, server::response& out) override;

  const static_options& options() const { return options_; }
  const media_type_table& media_types() const { return types_; }
  int root_fd() const { return root_fd_; }
  // The Cache-Control of the first rule matching a decoded path; "" when none matches.
  std::string_view cache_control_for(std::string_view path) const;

 private:
  // What the mapped path holds beneath the root, rules aside.
  std::unique_ptr<server::resource> locate_path(const server::request& r,
                                                const core::safe_path& mapped);
  // What the worker's cache holds for the mapped path, if it is still good; else nullptr.
  std::unique_ptr<server::resource> cached_resource(const server::request& r,
                                                    const core::safe_path& mapped,
                                                    std::chrono::steady_clock::time_point now);
  // The multiviews of a path that names nothing; nullptr when no file is named like it.
  std::unique_ptr<server::resource> locate_views(const std::string& relative);

  static_options options_;
  media_type_table types_;
  int root_fd_ = -1;
  std::uint64_t id_;  // tells this instance's entries in the workers' caches from others'
};

}  // namespace herald::handlers
