-- PUT with a JSON number body, for the properties benchmark (Wrk.cs). Arguments: lowest value, how many values,
-- wrk threads. Thread k of t sends lo + ((t*n + k) mod count), n = 0, 1, 2, ...: one thread's consecutive values
-- differ, and two threads never send the same value (count is a multiple of t), so each write changes the property.
dofile("done.lua")

local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  local lo, count, threads = tonumber(args[1]), tonumber(args[2]), tonumber(args[3])
  requests_ = {}
  for n = 0, count / threads - 1 do
    local value = lo + ((threads * n + id) % count)
    requests_[#requests_ + 1] = wrk.format("PUT", nil, { ["Content-Type"] = "application/json" }, tostring(value))
  end
  i_ = 0
end

function request()
  i_ = i_ % #requests_ + 1
  return requests_[i_]
end
