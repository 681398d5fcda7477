#pragma once
// The HTTP/1.1 server: share-nothing workers, each a thread with its own event loop and its
// own SO_REUSEPORT listening socket per address; a connection lives on one worker for life.

#include <functional>
#include <memory>
#include <vector>

#include <herald/server/handler.hpp>
#include <herald/server/options.hpp>

namespace herald::server {

class server {
 public:
  // The handler must outlive the server; it is called from every worker thread at once.
  server(options opts, handler& h);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds every listen address and starts the workers. Throws std::system_error when an
  // address cannot be bound (the message names it).
  void start();

  // The ports actually bound, in the order of options::listen (useful with port 0).
  std::vector<unsigned short> ports() const;

  // Graceful stop (what SIGTERM does): stop accepting, close idle connections, let requests
  // in flight finish, answer new requests on open connections with 503; after the grace
  // period, close everything. Returns at once; wait() blocks until the workers are done.
  void drain();
  void wait();

  // Drain on SIGTERM or SIGINT (a second one stops at once), reopen the log on SIGHUP, and
  // return when done. `ready` runs once the signal handlers are in place. The calling thread
  // should block those signals before start(), so none arrives before then (herald serve
  // does; start() keeps them off the worker threads either way).
  void run_until_signalled(const std::function<void()>& ready = {});

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace herald::server
