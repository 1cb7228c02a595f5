// The Redis client layer against a real redis-server: prefix, AUTH and SELECT, scripts that
// survive a script flush, bounded calls on a Redis that never answers, reconnection after a
// restart, and the feed between two instances.
#include "store/redis_client.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "store/redis_feed.hpp"
#include "support/redis_instance.hpp"
#include "support/run_sync.hpp"
#include "support/test_app.hpp"
#include "support/wait.hpp"

namespace wx::store {
namespace {

using test::run_sync;
using test::wait_until;

class RedisClientTest : public ::testing::Test {
protected:
    void SetUp() override { test::init_test_process(); }

    result<RedisReply> run(RedisClient& client, std::vector<std::string> args) {
        return run_sync(client.command(std::move(args)));
    }

    test::RedisServer server_;
    BlockingPool pool_{"redis", 2, 64};
};

TEST_F(RedisClientTest, CommandsRunOnThePoolUnderThePrefix) {
    RedisOptions options = test::test_redis_options();
    options.prefix = "deploy-a:";
    RedisClient client{server_.config(), options, pool_};
    EXPECT_EQ(client.state(), RedisClient::State::unknown) << "constructing it connects nothing";
    EXPECT_EQ(client.key("x"), "deploy-a:x");

    auto set = run(client, {"SET", client.key("x"), std::string{"v\0w", 3}});
    ASSERT_TRUE(set) << set.error().message();
    EXPECT_EQ(set->str, "OK");
    EXPECT_EQ(server_.command({"GET", "deploy-a:x"}).str, std::string("v\0w", 3)) << "binary-safe";
    EXPECT_TRUE(server_.command({"GET", "x"}).is_nil());
    EXPECT_EQ(client.state(), RedisClient::State::up);
    EXPECT_TRUE(run_sync(client.ping()));
}

TEST_F(RedisClientTest, AnErrorReplyIsAnErrorButRedisStaysUp) {
    RedisClient client{server_.config(), test::test_redis_options(), pool_};
    ASSERT_TRUE(run(client, {"SET", client.key("s"), "text"}));
    auto wrong = run(client, {"INCR", client.key("s")});
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error(), RedisErrc::error_reply);
    EXPECT_TRUE(client.up());
    EXPECT_EQ(client.failures(), 0u);
}

TEST_F(RedisClientTest, AuthAndSelectComeFromTheConfig) {
    test::RedisServer secured{test::RedisServerOptions{.password = "s3cret-pass"}};
    RedisConfig config = secured.config();
    config.db = 3;
    RedisClient client{config, test::test_redis_options(), pool_};
    ASSERT_TRUE(run(client, {"SET", client.key("k"), "in-db-3"}));

    auto conn = RedisConnection::open(config, RedisOptions{});
    ASSERT_TRUE(conn);
    std::vector<std::string> const get{"GET", client.key("k")};
    EXPECT_EQ((*conn)->run(get)->str, "in-db-3");
    EXPECT_TRUE(secured.command({"GET", client.key("k")}).is_nil()) << "not in db 0";

    RedisConfig wrong = config;
    wrong.password = "not-it";
    RedisClient refused{wrong, test::test_redis_options(), pool_};
    auto r = run(refused, {"PING"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), RedisErrc::unavailable);
    EXPECT_EQ(refused.state(), RedisClient::State::down);

    std::string why;
    EXPECT_FALSE(RedisConnection::open(wrong, RedisOptions{}, &why));
    EXPECT_NE(why.find("AUTH"), std::string::npos) << why;
    EXPECT_EQ(why.find("not-it"), std::string::npos) << "the reason never carries the password: " << why;
}

TEST_F(RedisClientTest, ScriptsRunByShaAndSurviveAScriptFlush) {
    RedisClient client{server_.config(), test::test_redis_options(), pool_};
    RedisScript const script{"return redis.call('INCRBY', KEYS[1], ARGV[1])"};
    EXPECT_EQ(script.sha1().size(), 40u);
    auto first = run_sync(client.eval(script, {client.key("n")}, {"2"}));
    ASSERT_TRUE(first) << first.error().message();
    EXPECT_EQ(first->integer, 2);
    ASSERT_EQ(server_.command({"SCRIPT", "EXISTS", script.sha1()}).elements.at(0).integer, 1)
        << "EVAL cached it under the SHA-1 we computed";

    EXPECT_EQ(server_.command({"SCRIPT", "FLUSH"}).str, "OK");
    auto second = run_sync(client.eval(script, {client.key("n")}, {"3"}));
    ASSERT_TRUE(second) << second.error().message();
    EXPECT_EQ(second->integer, 5) << "NOSCRIPT answered by EVAL";
}

// A peer that accepts TCP connections and never answers: the command gives up after its timeout.
TEST_F(RedisClientTest, NoCallHangsOnARedisThatNeverAnswers) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 16), 0);
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);

    RedisConfig silent{"127.0.0.1", ntohs(addr.sin_port), "", 0};
    RedisOptions options = test::test_redis_options();
    options.command_timeout = std::chrono::milliseconds{300};
    options.retry_after = std::chrono::seconds{5};
    RedisClient client{silent, options, pool_};
    auto const started = std::chrono::steady_clock::now();
    auto r = run(client, {"PING"});
    auto const took = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), RedisErrc::unavailable);
    EXPECT_EQ(client.state(), RedisClient::State::down);
    EXPECT_GE(took, std::chrono::milliseconds{250});
    EXPECT_LT(took, std::chrono::seconds{3}) << "bounded by the command timeout";

    auto const again = std::chrono::steady_clock::now();
    auto fast = run(client, {"PING"});
    auto const took_again = std::chrono::steady_clock::now() - again;
    ::close(fd);
    ASSERT_FALSE(fast);
    EXPECT_LT(took_again, std::chrono::milliseconds{250}) << "within the retry pause it fails at once";
}

TEST_F(RedisClientTest, AfterARestartTheNextCallsReconnectByThemselves) {
    RedisClient client{server_.config(), test::test_redis_options(), pool_};
    ASSERT_TRUE(run(client, {"SET", client.key("k"), "1"}));
    server_.stop();
    auto down = run(client, {"GET", client.key("k")});
    ASSERT_FALSE(down);
    EXPECT_EQ(down.error(), RedisErrc::unavailable);
    EXPECT_EQ(client.state(), RedisClient::State::down);
    EXPECT_FALSE(run_sync(client.ping()));

    server_.start();
    ASSERT_TRUE(wait_until("the client reaches the restarted Redis", [&] { return run_sync(client.ping()); }));
    EXPECT_EQ(client.state(), RedisClient::State::up);
    auto after = run(client, {"GET", client.key("k")});
    ASSERT_TRUE(after);
    EXPECT_TRUE(after->is_nil()) << "it came back empty";
    EXPECT_GE(client.failures(), 1u);
}

// Idle pooled connections the server closed (a restart, CLIENT KILL, its idle timeout) are
// noticed before use, so the first command after it does not fail.
TEST_F(RedisClientTest, IdleConnectionsClosedByTheServerAreNotUsed) {
    RedisClient client{server_.config(), test::test_redis_options(), pool_};
    ASSERT_TRUE(run(client, {"PING"}));
    EXPECT_GE(server_.command({"CLIENT", "KILL", "TYPE", "normal"}).integer, 1);
    ASSERT_TRUE(wait_until("the kill reached the idle connection", [&] {
        return server_.command({"CLIENT", "LIST"}).str.find("cmd=ping") == std::string::npos;
    }));
    auto r = run(client, {"PING"});
    EXPECT_TRUE(r) << r.error().message();
    EXPECT_EQ(client.failures(), 0u);
}

TEST_F(RedisClientTest, AFullPoolIsOverloadedNotUnavailable) {
    BlockingPool full{"full", 1, 0};
    RedisClient client{server_.config(), test::test_redis_options(), full};
    auto r = run(client, {"PING"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), RedisErrc::overloaded);
}

// --- RedisFeed ---

struct Heard {
    std::mutex mutex;
    std::vector<std::string> bodies;
    std::atomic<int> subscribed{0};
    RedisFeed::Listener listener() {
        return RedisFeed::Listener{[this](std::string_view body) {
                                       std::lock_guard lock{mutex};
                                       bodies.emplace_back(body);
                                   },
                                   [this] { ++subscribed; }};
    }
    std::vector<std::string> all() {
        std::lock_guard lock{mutex};
        return bodies;
    }
};

TEST_F(RedisClientTest, TheFeedCarriesOtherInstancesMessagesButNotOurOwn) {
    test::RedisInstance a{server_};
    test::RedisInstance b{server_};
    EXPECT_NE(a.feed.instance_id(), b.feed.instance_id());
    Heard heard_a;
    Heard heard_b;
    Heard users_b;
    auto sa = a.feed.listen(kRevocationChannel, heard_a.listener());
    auto sb = b.feed.listen(kRevocationChannel, heard_b.listener());
    auto ub = b.feed.listen(kUserChannel, users_b.listener());
    ASSERT_TRUE(wait_until("both feeds subscribed", [&] { return a.feed.connected() && b.feed.connected(); }));

    EXPECT_TRUE(run_sync(a.feed.publish(kRevocationChannel, "one two")));
    EXPECT_TRUE(run_sync(a.feed.publish(kUserChannel, "42")));
    ASSERT_TRUE(wait_until("B heard both", [&] { return heard_b.all().size() == 1 && users_b.all().size() == 1; }));
    EXPECT_EQ(heard_b.all().front(), "one two");
    EXPECT_EQ(users_b.all().front(), "42");
    EXPECT_TRUE(heard_a.all().empty()) << "an instance does not hear itself";
    EXPECT_EQ(b.feed.received(), 2u);
    EXPECT_THROW((void)a.feed.listen("other", heard_a.listener()), std::invalid_argument);
}

TEST_F(RedisClientTest, TheFeedResubscribesAfterARestartAndSaysSo) {
    test::RedisInstance a{server_};
    test::RedisInstance b{server_};
    Heard heard;
    auto s = b.feed.listen(kRevocationChannel, heard.listener());
    ASSERT_TRUE(wait_until("B subscribed", [&] { return b.feed.connected() && heard.subscribed == 1; }));
    auto const first = b.feed.connected_since();

    server_.stop();
    ASSERT_TRUE(wait_until("B noticed", [&] { return !b.feed.connected(); }));
    EXPECT_FALSE(run_sync(a.feed.publish(kRevocationChannel, "lost")));
    server_.start();
    ASSERT_TRUE(wait_until("B subscribed again", [&] { return b.feed.connected() && heard.subscribed == 2; }));
    EXPECT_GT(*b.feed.connected_since(), *first);
    EXPECT_EQ(b.feed.subscriptions(), 2u);

    ASSERT_TRUE(wait_until("A publishes again", [&] { return run_sync(a.feed.publish(kRevocationChannel, "after")); }));
    ASSERT_TRUE(wait_until("B heard it", [&] { return heard.all().size() == 1; }));
    EXPECT_EQ(heard.all().front(), "after");
}

// A Redis that hangs (SIGSTOP) closes nothing: commands give up at their timeout, the subscriber
// at its missed PINGs, and both find it again when it resumes.
TEST_F(RedisClientTest, AHungRedisIsGivenUpAndFoundAgain) {
    test::RedisInstance a{server_};
    ASSERT_TRUE(wait_until("subscribed", [&] { return a.feed.connected(); }));
    server_.freeze();
    auto const started = std::chrono::steady_clock::now();
    auto r = run(a.client, {"PING"});
    auto const took = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), RedisErrc::unavailable);
    EXPECT_LT(took, std::chrono::seconds{3}) << "bounded by the command timeout";
    ASSERT_TRUE(wait_until("the subscriber gave the silent connection up", [&] { return !a.feed.connected(); }));

    server_.thaw();
    ASSERT_TRUE(wait_until("subscribed again", [&] { return a.feed.connected(); }));
    ASSERT_TRUE(wait_until("commands work again", [&] { return run_sync(a.client.ping()); }));
    EXPECT_GE(a.feed.subscriptions(), 2u);
}

TEST_F(RedisClientTest, StoppingTheFeedIsPromptEvenWithRedisAway) {
    test::RedisInstance a{server_};
    ASSERT_TRUE(wait_until("subscribed", [&] { return a.feed.connected(); }));
    server_.stop();
    ASSERT_TRUE(wait_until("noticed", [&] { return !a.feed.connected(); }));
    auto const started = std::chrono::steady_clock::now();
    a.feed.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds{2});
    EXPECT_FALSE(a.feed.connected());
}

}  // namespace
}  // namespace wx::store
