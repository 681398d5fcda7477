// Asio is compiled once, here (ASIO_SEPARATE_COMPILATION): every other file that includes it
// sees declarations only, which keeps the build fast on a 2-core machine.
#include <asio/impl/src.hpp>
#include <asio/ssl/impl/src.hpp>
