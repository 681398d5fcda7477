// The floor of bench/compare: an HTTP/1.1 "server" that does nothing but count request heads
// and answer each with one canned response. No real server can be cheaper per request; the
// harness reports how close each one comes.
//
//   floor PORT        listens on 127.0.0.1:PORT, single-threaded, until killed
//
// It is only right for bodiless GETs of a 13-byte resource (the 13b, pipeline16 and newconn
// workloads): it never parses a request, it only looks for the "\r\n\r\n" that ends each head.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view keep_alive_response =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
// A server that closes after a response must say so (RFC 9112 §9.6), or the client (wrk) would
// send its next request into the closed connection.
constexpr std::string_view closing_response =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n"
    "\r\nHello, World!";

// A head that has not ended after this much is not one of ours: drop the connection rather
// than buffer without bound.
constexpr std::size_t max_partial_head = 64 * 1024;

struct Connection {
    std::string partial;  // the start of a head whose end has not arrived yet
    std::string unsent;   // responses the socket did not take; nothing is read until they are out
    bool close_when_sent = false;
};

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "floor: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

bool asks_to_close(std::string_view head) {
    constexpr std::string_view token = "connection: close";
    auto it = std::search(head.begin(), head.end(), token.begin(), token.end(), [](char a, char b) {
        return (a >= 'A' && a <= 'Z' ? char(a + 32) : a) == b;
    });
    return it != head.end();
}

class Floor {
public:
    explicit Floor(int port) {
        listener_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (listener_ < 0) die("socket");
        int one = 1;
        setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) die("bind");
        if (listen(listener_, SOMAXCONN) < 0) die("listen");
        epoll_ = epoll_create1(EPOLL_CLOEXEC);
        if (epoll_ < 0) die("epoll_create1");
        watch(listener_, EPOLLIN, EPOLL_CTL_ADD);
    }

    [[noreturn]] void run() {
        epoll_event events[512];
        for (;;) {
            int n = epoll_wait(epoll_, events, 512, -1);
            if (n < 0) {
                if (errno == EINTR) continue;
                die("epoll_wait");
            }
            for (int i = 0; i < n; ++i) {
                int fd = events[i].data.fd;
                if (fd == listener_) {
                    accept_all();
                } else if (events[i].events & EPOLLOUT) {
                    flush(fd);
                } else {
                    serve(fd);
                }
            }
        }
    }

private:
    void watch(int fd, uint32_t events, int op) {
        epoll_event ev{};
        ev.events = events;
        ev.data.fd = fd;
        if (epoll_ctl(epoll_, op, fd, &ev) < 0) die("epoll_ctl");
    }

    void accept_all() {
        for (;;) {
            int fd = accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EAGAIN || errno == EINTR) return;
                // Out of descriptors or a connection reset before accept: the others go on.
                if (errno == EMFILE || errno == ENFILE || errno == ECONNABORTED) return;
                die("accept4");
            }
            // Every write is a whole batch of responses: nothing is gained by delaying it.
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (static_cast<std::size_t>(fd) >= connections_.size()) connections_.resize(fd + 1);
            connections_[fd] = Connection{};
            watch(fd, EPOLLIN, EPOLL_CTL_ADD);
        }
    }

    void drop(int fd) {
        close(fd);  // also removes it from the epoll set
        connections_[fd] = Connection{};
    }

    void serve(int fd) {
        ssize_t got = read(fd, buffer_, sizeof buffer_);
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (got <= 0) return drop(fd);

        Connection& c = connections_[fd];
        std::string_view input(buffer_, static_cast<std::size_t>(got));
        if (!c.partial.empty()) {
            c.partial.append(input);
            input = c.partial;
        }
        out_.clear();
        std::size_t start = 0;
        for (;;) {
            std::size_t end = input.find("\r\n\r\n", start);
            if (end == std::string_view::npos) break;
            if (asks_to_close(input.substr(start, end - start))) {
                out_.append(closing_response);
                c.close_when_sent = true;
                start = input.size();
                break;
            }
            out_.append(keep_alive_response);
            start = end + 4;
        }
        if (input.size() - start > max_partial_head) return drop(fd);
        if (input.data() == c.partial.data()) {
            c.partial.erase(0, start);
        } else {
            c.partial.assign(input.substr(start));
        }
        send(fd, c, out_);
    }

    // Writes what the socket takes; the rest waits for EPOLLOUT, and nothing more is read from
    // the connection until it is out, so responses never overtake each other.
    void send(int fd, Connection& c, std::string_view data) {
        while (!data.empty()) {
            ssize_t put = write(fd, data.data(), data.size());
            if (put < 0) {
                if (errno == EINTR) continue;
                if (errno != EAGAIN) return drop(fd);
                c.unsent.assign(data);
                watch(fd, EPOLLOUT, EPOLL_CTL_MOD);
                return;
            }
            data.remove_prefix(static_cast<std::size_t>(put));
        }
        if (c.close_when_sent) drop(fd);
    }

    void flush(int fd) {
        Connection& c = connections_[fd];
        std::string pending = std::move(c.unsent);
        c.unsent.clear();
        watch(fd, EPOLLIN, EPOLL_CTL_MOD);
        send(fd, c, pending);
    }

    int listener_ = -1;
    int epoll_ = -1;
    std::vector<Connection> connections_;
    std::string out_;
    char buffer_[64 * 1024];
};

}  // namespace

int main(int argc, char** argv) {
    char* end = nullptr;
    long port = argc == 2 ? std::strtol(argv[1], &end, 10) : 0;
    if (argc != 2 || *end != '\0' || port < 1 || port > 65535) {
        std::fprintf(stderr, "usage: floor PORT   (listens on 127.0.0.1:PORT)\n");
        return 2;
    }
    static Floor floor(static_cast<int>(port));
    floor.run();
}
