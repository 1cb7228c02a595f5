// The WeChat client's idle-connection shelves are per client: two clients on one execution context
// never share a connection, and a client built later at the same address (or after any number of
// others) starts with none, because its shelf key is an owned token, not an address or a counter.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>

#include "app/routes.hpp"
#include "core/clock.hpp"
#include "core/io_pool.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "sim/simulator.hpp"
#include "sim/wechat_sim_api.hpp"
#include "support/test_app.hpp"
#include "wechat/client.hpp"

namespace wx::wechat {
namespace {

using namespace std::chrono_literals;

class WeChatClientPoolTest : public ::testing::Test {
protected:
    void SetUp() override {
        test::init_test_process();
        app::add_wechat_sim_routes(router_, sim_api_, "/wx");
        io_ = std::make_unique<IoPool>(1);
        http::ServerConfig cfg;
        cfg.host = "127.0.0.1";
        cfg.port = 0;
        server_ = std::make_unique<http::Server>(cfg, router_, *io_);
        server_->start();
        io_->start();
    }

    void TearDown() override {
        server_->begin_drain();
        EXPECT_TRUE(server_->wait_drained(5s));
        io_->stop();
    }

    [[nodiscard]] std::string base() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/wx"; }

    // One stable_token call on the client context; bounded, so a broken test fails instead of hanging.
    void call(Client& client) {
        auto done = asio::co_spawn(client_io_, client.stable_token(app_, false), asio::use_future);
        client_io_.restart();
        client_io_.run_for(10s);
        if (done.wait_for(0s) != std::future_status::ready) throw std::runtime_error("call did not finish");
        ASSERT_TRUE(done.get());
    }

    TestClock clock_{1'700'000'000};
    sim::Simulator sim_{clock_, {{"wxA", "secA"}}};
    sim::WeChatSimApi sim_api_{sim_};
    http::Router router_{{}, nullptr};
    std::unique_ptr<IoPool> io_;
    std::unique_ptr<http::Server> server_;
    AppCredentials app_{"wxA", "secA"};
    asio::io_context client_io_;  // declared before the clients, so it outlives them
};

TEST_F(WeChatClientPoolTest, TwoClientsOnOneContextNeverShareAConnection) {
    Client first{base(), 2000ms};
    Client second{base(), 2000ms};
    call(first);
    EXPECT_EQ(first.idle_connections(), 1u);
    EXPECT_EQ(second.idle_connections(), 0u);
    call(second);
    EXPECT_EQ(second.connections_opened(), 1u);  // its own, not the first client's idle one
    EXPECT_EQ(first.idle_connections(), 1u);
    EXPECT_EQ(second.idle_connections(), 1u);
}

TEST_F(WeChatClientPoolTest, ALaterClientAtTheSameAddressStartsWithNoConnections) {
    std::optional<Client> client;
    client.emplace(base(), 2000ms);
    Client const* const first_address = &*client;
    call(*client);
    ASSERT_EQ(client->idle_connections(), 1u);
    client.reset();  // its idle connection is taken off the shelf and closed

    client.emplace(base(), 2000ms);
    ASSERT_EQ(&*client, first_address);  // the case an address-keyed shelf would get wrong
    EXPECT_EQ(client->idle_connections(), 0u);
    call(*client);
    EXPECT_EQ(client->connections_opened(), 1u);
    EXPECT_EQ(client->idle_connections(), 1u);
}

}  // namespace
}  // namespace wx::wechat
