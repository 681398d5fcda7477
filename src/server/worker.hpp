#pragma once
// What the connections of one worker share. Touched only from the worker's own thread, but
// for `mail`, through which other threads hand the worker work.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_set>
#include <vector>

#include <herald/http1/serializer.hpp>
#include <herald/server/handler.hpp>
#include <herald/server/options.hpp>

#include "server/access_log.hpp"

namespace asio {
class thread_pool;
}

namespace herald::net {
class mailbox;
}

namespace herald::server {

class connection;
class idle_parking;

struct worker_context {
  const options& opts;
  handler& h;
  access_log* log;               // nullptr when logging is off
  asio::thread_pool& slow_work;  // runs response::deferred, shared by all workers
  std::string allow;             // server-wide Allow, for OPTIONS *
  http1::date_cache dates;
  bool draining = false;
  std::unordered_set<connection*> connections;
  idle_parking* parking = nullptr;  // where long-idle keep-alive connections wait; may be null
  std::vector<std::string> spare_buffers;  // buffers lent to connections (connection.cpp)
  std::uint64_t reads = 0;                 // successful reads on this worker: request::arrival
  net::mailbox* mail = nullptr;            // how other threads hand this worker work
  // A new connection whose descriptor is numbered this high or higher is refused (503) and
  // accepting pauses: the kernel hands out the lowest free number, so every one below is in
  // use, and the few left are kept for the files of the connections already in (server.cpp).
  int descriptor_ceiling = std::numeric_limits<int>::max();
};

}  // namespace herald::server
