#include <herald/handlers/static_files.hpp>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <system_error>
#include <utility>

#include <herald/core/http_date.hpp>
#include <herald/core/safe_path.hpp>
#include <herald/core/syntax.hpp>

namespace herald::handlers {

namespace {

constexpr std::string_view allowed = "GET, HEAD, OPTIONS";
constexpr std::uint64_t small_file = 16 * 1024;

constexpr auto media_types = std::to_array<std::pair<std::string_view, std::string_view>>({
    {"css", "text/css; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"gif", "image/gif"},
    {"htm", "text/html; charset=utf-8"},
    {"html", "text/html; charset=utf-8"},
    {"ico", "image/vnd.microsoft.icon"},
    {"jpeg", "image/jpeg"},
    {"jpg", "image/jpeg"},
    {"js", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"md", "text/markdown; charset=utf-8"},
    {"mp4", "video/mp4"},
    {"pdf", "application/pdf"},
    {"png", "image/png"},
    {"svg", "image/svg+xml"},
    {"txt", "text/plain; charset=utf-8"},
    {"wasm", "application/wasm"},
    {"webm", "video/webm"},
    {"webp", "image/webp"},
    {"xml", "application/xml"},
    {"zip", "application/zip"},
});

server::response text_error(int status, std::string_view detail) {
  server::response r(status);
  r.set_text(fmt::format("{} {}\n{}\n", status, core::reason_phrase(status), detail));
  return r;
}

// One function maps errno to a status (style guide habit 7); the caller picks "missing".
int status_for_errno(int error, int missing) {
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return missing;
    case EACCES:
    case EPERM:
    case ELOOP:
      return 403;
    default:
      return 500;
  }
}

// Opens `relative` beneath `dir` for reading; the kernel refuses (EXDEV) any resolution, by
// symlink or "..", that leaves `dir`, so no check can race with a rename.
int open_beneath(int dir, const char* relative) {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;  // a FIFO must not block the worker
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, dir, relative, &how, sizeof how));
}

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

}  // namespace

std::string_view media_type_for(std::string_view file_name) {
  auto dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string ext(file_name.substr(dot + 1));
  for (char& c : ext) c = core::syntax::to_lower(c);
  for (const auto& [known, type] : media_types)
    if (known == ext) return type;
  return "application/octet-stream";
}

static_files::static_files(static_options options) : options_(std::move(options)) {
  root_fd_ = ::open(options_.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd_ < 0)
    throw std::system_error(errno, std::generic_category(),
                            "cannot open the root directory " + options_.root.string());
}

static_files::~static_files() { ::close(root_fd_); }

server::content_decision static_files::prepare(const server::request& r) {
  auto m = r.head.known_method;
  if (m == core::method::get || m == core::method::head || m == core::method::options)
    return server::content_decision::accept(64 * 1024);
  // RFC 9110 §15.5.6: a 405 carries Allow.
  server::response refused = text_error(
      405, fmt::format("The method {} is not allowed on this resource.", r.head.method));
  refused.fields.add("Allow", allowed);
  return server::content_decision::reject(std::move(refused));
}

server::response static_files::handle(server::request& r) {
  if (r.head.known_method == core::method::options) {
    server::response ok(204);
    ok.fields.add("Allow", allowed);
    return ok;
  }
  core::safe_path_result mapped = core::map_safe_path(r.head.path);
  if (!mapped) return text_error(400, core::describe(mapped.error));
  const std::string& relative = mapped.path.relative;
  if (!options_.show_hidden && has_hidden_segment(relative)) return text_error(404, "No such file.");
  int fd = open_beneath(root_fd_, relative.empty() ? "." : relative.c_str());
  if (fd < 0) {
    // EXDEV: the path, through a symlink or "..", resolves outside the root.
    if (errno == EXDEV) return text_error(403, "The file lies outside the root.");
    int status = status_for_errno(errno, 404);
    return text_error(status, status == 404 ? "No such file." : "The file cannot be opened.");
  }
  struct stat st{};
  ::fstat(fd, &st);
  const bool was_directory = S_ISDIR(st.st_mode);
  if (was_directory) {
    int dir = fd;
    if (!r.head.path.ends_with('/')) {
      ::close(dir);
      // A directory is named with a trailing slash, so relative links inside it resolve.
      server::response moved(301);
      std::string location = std::string(r.head.path) + "/";
      if (r.head.has_query) location += "?" + std::string(r.head.query);
      moved.fields.add("Location", location);
      moved.set_text(fmt::format("Moved to {}\n", location));
      return moved;
    }
    fd = open_beneath(dir, options_.index.c_str());
    ::close(dir);
    if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      if (fd >= 0) ::close(fd);
      return text_error(403, "This directory has no index and listings are off.");
    }
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return text_error(403, "Not a regular file.");
  }
  if (mapped.path.directory && !was_directory) {
    ::close(fd);
    return text_error(404, "No such directory: the name is a file.");
  }
  std::string_view name = relative;
  if (relative.empty() || mapped.path.directory) name = options_.index;
  const struct stat& opened = st;
  server::response ok(200);
  ok.fields.add("Content-Type", media_type_for(name));
  ok.fields.add("Last-Modified",
                core::format_http_date(std::chrono::sys_seconds(std::chrono::seconds(opened.st_mtime))));
  const auto size = static_cast<std::uint64_t>(opened.st_size);
  if (size <= small_file) {
    // A small file goes out in the same writev as the head: one system call, not two.
    std::string text(size, '\0');
    ssize_t n = size == 0 ? 0 : ::pread(fd, text.data(), size, 0);
    ::close(fd);
    // A file that shrank since fstat must not be sent with a length it no longer has.
    if (n != static_cast<ssize_t>(size)) return text_error(500, "The file changed while it was read.");
    if (size > 0) ok.body.pieces.emplace_back(std::move(text));
    return ok;
  }
  auto owner = std::shared_ptr<const int>(new int(fd), [](const int* p) {
    ::close(*p);
    delete p;
  });
  ok.body.pieces.emplace_back(server::file_part{owner, 0, size});
  return ok;
}

}  // namespace herald::handlers
