#pragma once

#include <memory>

#include "app/config.hpp"
#include "http/router.hpp"

namespace wx::app {

// `serve --dev`: the WeChat simulator mounted on the service's own router under /wechat-sim,
// its apps set to the configured ones, so a newcomer can log in with two curl calls.
class EmbeddedSimulator {
public:
    EmbeddedSimulator(Config const& cfg, http::Router& router);
    ~EmbeddedSimulator();

private:
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

}  // namespace wx::app
