#pragma once
// The one place that spells Boost 1.81's completion tokens (1.81 has no default token).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace wx {

namespace asio = boost::asio;
using boost::system::error_code;
using boost::system::result;

template <class T = void>
using Task = asio::awaitable<T>;

// Failure surfaces as an exception.
inline constexpr auto use_task = asio::use_awaitable;
// Failure surfaces as the first element of a tuple: for normal I/O outcomes (EOF, timeout).
inline constexpr auto use_result = asio::as_tuple(asio::use_awaitable);

}  // namespace wx
