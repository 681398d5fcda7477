#include "net/input_buffer.hpp"

#include <cstring>

namespace herald::net {

void input_buffer::reserve(std::size_t n) {
  if (n <= capacity_) return;
  auto fresh = std::make_unique_for_overwrite<char[]>(n);
  if (size_ > 0) std::memcpy(fresh.get(), data_.get(), size_);
  data_ = std::move(fresh);
  capacity_ = n;
}

void input_buffer::erase(std::size_t pos, std::size_t count) noexcept {
  if (pos >= size_) return;
  if (count > size_ - pos) count = size_ - pos;
  std::memmove(data_.get() + pos, data_.get() + pos + count, size_ - pos - count);
  size_ -= count;
}

}  // namespace herald::net
