-- Password logins of one registered account (bench/wrk_target.sh registers "benchpw"): each is an
-- Argon2id verify on the hashing pool, so this scenario shows where that pool saturates; its
-- refusals (503 overloaded, 429 while too many attempts are in flight) count as non2xx.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"benchpw","password":"bench password 123"}'
dofile(os.getenv("WX_LUA_DIR") .. "/result.lua")
