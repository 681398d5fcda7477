#pragma once
// A connection's received octets. Like a std::string, except that making room for a read does
// not zero-fill it: std::string::resize writes the whole room (about a kilobyte) before every
// read, only for the read to overwrite it.

#include <cassert>
#include <cstddef>
#include <memory>
#include <string_view>

namespace herald::net {

class input_buffer {
 public:
  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }
  std::string_view view(std::size_t from = 0) const noexcept {
    assert(from <= size_);
    return {data_.get() + from, size_ - from};
  }

  // The free room after the octets, for a read; commit(n) then appends the n octets it wrote
  // there (n at most room_size()).
  char* room() noexcept { return data_.get() + size_; }
  std::size_t room_size() const noexcept { return capacity_ - size_; }
  void commit(std::size_t n) noexcept { size_ += n; }

  // At least `n` octets of capacity; the octets move to the new storage, so views of them end.
  void reserve(std::size_t n);
  // Removes `count` octets from `pos`, moving the ones after them down.
  void erase(std::size_t pos, std::size_t count) noexcept;
  void clear() noexcept { size_ = 0; }
  // Empties the buffer and frees its storage.
  void release() noexcept {
    data_.reset();
    size_ = 0;
    capacity_ = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace herald::net
