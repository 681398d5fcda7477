// The client of bench/compare's memory test: holds N keep-alive connections open and idle so
// that the server's resident memory per idle connection can be measured.
//
//   idle_clients HOST PORT [N]      HOST in 127.0.0.0/8; N from 1 to 20000, default 10000
//
// Each connection sends one `GET /13b.txt` and reads the whole response (a server may allocate
// per-connection state only at the first request), then stays idle. When all N are idle it
// prints "ready N"; it then waits until its standard input ends or 60 s pass, prints
// "open M" (M < N when the server closed some meanwhile) and exits. Exit status 1, with one
// line on stderr, when a connection fails or the responses do not arrive within 60 s.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view request = "GET /13b.txt HTTP/1.1\r\nHost: bench\r\n\r\n";
constexpr long default_connections = 10000;
constexpr long max_connections = 20000;
// More connections in progress at once would only overflow the server's listen backlog and
// turn into SYN retransmissions a second later.
constexpr std::size_t in_progress_limit = 128;
constexpr auto time_limit = std::chrono::seconds(60);
constexpr uint64_t stdin_tag = ~uint64_t{0};

enum class State { connecting, sending, reading, idle, closed };

struct Connection {
    int fd = -1;
    State state = State::connecting;
    std::size_t sent = 0;
    std::string head;
    bool head_done = false;
    std::size_t body_left = 0;
};

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "idle_clients: %s\n", what.c_str());
    std::exit(1);
}

[[noreturn]] void fail_errno(const std::string& what) { fail(what + ": " + std::strerror(errno)); }

bool parse_long(const char* text, long& value) {
    std::string_view s(text);
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    return ec == std::errc{} && end == s.data() + s.size();
}

// The status must be 200 and the length given by Content-Length: anything else is not the
// response the memory test expects, and would leave the connection's framing unknown.
std::size_t content_length(std::string_view head, std::size_t index) {
    if (head.substr(0, 13) != "HTTP/1.1 200 ")
        fail("connection " + std::to_string(index) + ": status line '" +
             std::string(head.substr(0, head.find('\r'))) + "', not 200");
    std::string lower(head);
    for (char& ch : lower) ch = (ch >= 'A' && ch <= 'Z') ? char(ch + 32) : ch;
    std::size_t at = lower.find("\r\ncontent-length:");
    if (at == std::string::npos) fail("connection " + std::to_string(index) + ": no Content-Length");
    at += 17;
    while (at < lower.size() && (lower[at] == ' ' || lower[at] == '\t')) ++at;
    std::size_t length = 0;
    auto [end, ec] = std::from_chars(lower.data() + at, lower.data() + lower.size(), length);
    if (ec != std::errc{} || end == lower.data() + at)
        fail("connection " + std::to_string(index) + ": bad Content-Length");
    return length;
}

class Clients {
public:
    Clients(const sockaddr_in& server, std::size_t count) : server_(server), connections_(count) {
        epoll_ = epoll_create1(EPOLL_CLOEXEC);
        if (epoll_ < 0) fail_errno("epoll_create1");
    }

    void open_all(std::chrono::steady_clock::time_point deadline) {
        std::size_t next = 0;
        std::size_t idle = 0;
        std::size_t in_progress = 0;
        epoll_event events[256];
        while (idle < connections_.size()) {
            while (in_progress < in_progress_limit && next < connections_.size()) {
                start(next++);
                ++in_progress;
            }
            int n = epoll_wait(epoll_, events, 256, remaining_ms(deadline));
            if (n < 0 && errno != EINTR) fail_errno("epoll_wait");
            if (n == 0)
                fail("only " + std::to_string(idle) + " of " + std::to_string(connections_.size()) +
                     " connections ready after 60 s");
            for (int i = 0; i < n; ++i) {
                std::size_t index = events[i].data.u64;
                advance(index);
                if (connections_[index].state == State::idle) {
                    ++idle;
                    --in_progress;
                }
            }
        }
    }

    // Returns how many connections are still open when standard input ends or the time is up.
    std::size_t wait_idle(std::chrono::steady_clock::time_point deadline) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = stdin_tag;
        // A regular file or /dev/null cannot be watched: it is at its end already.
        bool stdin_open = epoll_ctl(epoll_, EPOLL_CTL_ADD, STDIN_FILENO, &ev) == 0;
        std::size_t open = connections_.size();
        epoll_event events[256];
        while (stdin_open) {
            int n = epoll_wait(epoll_, events, 256, remaining_ms(deadline));
            if (n < 0 && errno != EINTR) fail_errno("epoll_wait");
            if (n == 0) break;
            for (int i = 0; i < n; ++i) {
                if (events[i].data.u64 == stdin_tag) {
                    char sink[512];
                    if (read(STDIN_FILENO, sink, sizeof sink) <= 0) stdin_open = false;
                    continue;
                }
                // An idle connection that becomes readable was closed (or answered out of turn)
                // by the server: either way it no longer counts.
                Connection& c = connections_[events[i].data.u64];
                if (c.state != State::closed) {
                    close(c.fd);
                    c.state = State::closed;
                    --open;
                }
            }
        }
        return open;
    }

private:
    static int remaining_ms(std::chrono::steady_clock::time_point deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        return left.count() > 0 ? static_cast<int>(left.count()) : 0;
    }

    void start(std::size_t index) {
        Connection& c = connections_[index];
        c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c.fd < 0) fail_errno("socket");
        if (connect(c.fd, reinterpret_cast<const sockaddr*>(&server_), sizeof server_) < 0 &&
            errno != EINPROGRESS)
            fail_errno("connect");
        epoll_event ev{};
        ev.events = EPOLLOUT;
        ev.data.u64 = index;
        if (epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev) < 0) fail_errno("epoll_ctl");
    }

    void watch(const Connection& c, std::size_t index, uint32_t events) {
        epoll_event ev{};
        ev.events = events;
        ev.data.u64 = index;
        if (epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev) < 0) fail_errno("epoll_ctl");
    }

    void advance(std::size_t index) {
        Connection& c = connections_[index];
        std::string which = "connection " + std::to_string(index);
        if (c.state == State::connecting) {
            int error = 0;
            socklen_t size = sizeof error;
            getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &size);
            if (error != 0) fail(which + ": connect: " + std::strerror(error));
            c.state = State::sending;
        }
        if (c.state == State::sending) {
            ssize_t put = send(c.fd, request.data() + c.sent, request.size() - c.sent, MSG_NOSIGNAL);
            if (put < 0 && errno != EAGAIN) fail_errno(which + ": send");
            if (put > 0) c.sent += static_cast<std::size_t>(put);
            if (c.sent < request.size()) return;
            c.state = State::reading;
            watch(c, index, EPOLLIN);
            return;
        }
        if (c.state != State::reading) return;
        char buffer[16 * 1024];
        ssize_t got = recv(c.fd, buffer, sizeof buffer, 0);
        if (got < 0 && errno == EAGAIN) return;
        if (got < 0) fail_errno(which + ": recv");
        if (got == 0) fail(which + ": closed by the server before the response ended");
        std::string_view data(buffer, static_cast<std::size_t>(got));
        if (!c.head_done) {
            c.head.append(data);
            std::size_t end = c.head.find("\r\n\r\n");
            if (end == std::string::npos) return;
            std::size_t body_here = c.head.size() - (end + 4);
            c.head.resize(end + 4);
            c.head_done = true;
            std::size_t length = content_length(c.head, index);
            if (body_here > length) fail(which + ": more data than the response's length");
            c.body_left = length - body_here;
        } else {
            if (data.size() > c.body_left) fail(which + ": more data than the response's length");
            c.body_left -= data.size();
        }
        if (c.body_left > 0) return;
        c.head = std::string{};
        c.state = State::idle;
        // Still watched, so that wait_idle sees a server closing it.
        watch(c, index, EPOLLIN | EPOLLRDHUP);
    }

    sockaddr_in server_;
    std::vector<Connection> connections_;
    int epoll_ = -1;
};

}  // namespace

int main(int argc, char** argv) {
    long port = 0;
    long count = default_connections;
    sockaddr_in server{};
    server.sin_family = AF_INET;
    bool ok = (argc == 3 || argc == 4) && inet_pton(AF_INET, argv[1], &server.sin_addr) == 1 &&
              (ntohl(server.sin_addr.s_addr) >> 24) == 127 && parse_long(argv[2], port) &&
              port >= 1 && port <= 65535 && (argc == 3 || parse_long(argv[3], count)) &&
              count >= 1 && count <= max_connections;
    if (!ok) {
        std::fprintf(stderr, "usage: idle_clients HOST PORT [N]   (HOST in 127.0.0.0/8, N 1-%ld, "
                             "default %ld)\n", max_connections, default_connections);
        return 2;
    }
    server.sin_port = htons(static_cast<uint16_t>(port));

    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    rlim_t needed = static_cast<rlim_t>(count) + 16;
    if (files.rlim_max < needed)
        fail("needs " + std::to_string(needed) + " descriptors, the hard limit is " +
             std::to_string(files.rlim_max));
    files.rlim_cur = files.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &files) < 0) fail_errno("setrlimit");

    auto deadline = std::chrono::steady_clock::now() + time_limit;
    Clients clients(server, static_cast<std::size_t>(count));
    clients.open_all(deadline);
    std::printf("ready %ld\n", count);
    std::fflush(stdout);
    std::size_t open = clients.wait_idle(deadline);
    std::printf("open %zu\n", open);
    return 0;
}
