#include <string>

#include "wechat/wechat_api.hpp"

namespace wx::wechat {
namespace {

class ErrcodeCategory final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "wechat.errcode"; }
    std::string message(int ev) const override { return "WeChat errcode " + std::to_string(ev); }
};

class TransportCategory final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "wechat.transport"; }
    std::string message(int ev) const override {
        switch (static_cast<Errc>(ev)) {
            case Errc::timeout:
                return "WeChat did not answer in time";
            case Errc::connection_failed:
                return "could not reach WeChat";
            case Errc::http_status:
                return "WeChat answered with an HTTP error status";
            case Errc::bad_response:
                return "WeChat's answer could not be understood";
            case Errc::response_too_large:
                return "WeChat's answer was too large";
        }
        return "WeChat transport error";
    }
};

}  // namespace

boost::system::error_category const& errcode_category() noexcept {
    static ErrcodeCategory const c;
    return c;
}

boost::system::error_category const& transport_category() noexcept {
    static TransportCategory const c;
    return c;
}

}  // namespace wx::wechat
