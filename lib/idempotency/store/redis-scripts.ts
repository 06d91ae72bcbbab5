import { RecordStatus } from '../record.js';
import { redisScript, type RedisScript } from './redis-client.js';
import { redisFields as f } from './redis-record.js';

// Every script works on KEYS[1], the record's hash, and runs atomically on the server: no other command interleaves.
// A key of another type is never read or written as a record: the scripts answer 'foreign' (or refuse to write).
const readCurrent = `
local function current()
  local kind = redis.call('TYPE', KEYS[1])['ok']
  if kind == 'none' then return nil end
  if kind ~= 'hash' then return {'foreign', kind} end
  local fields = redis.call('HGETALL', KEYS[1])
  table.insert(fields, 1, 'held')
  return fields
end
local function field(name) return redis.call('HGET', KEYS[1], name) end
`;

/**
 * Claim. ARGV: nowMs, leaseToken, leaseExpiresAtEpochMs, expiresAtEpochSeconds (already the later of retention and
 * lease end), fingerprint hash or ''. Takes the key when it is absent, its retention has passed though it has not
 * expired yet, or it is IN_PROGRESS with its lease ended; otherwise answers the record that holds it. A resent claim
 * (a client that resends after a lost reply) finds its own token and is answered as claimed.
 */
export const claimScript: RedisScript = redisScript(`${readCurrent}
local record = current()
if record then
  if record[1] == 'foreign' then return record end
  local status = field('${f.status}')
  if status == '${RecordStatus.InProgress}' and field('${f.leaseToken}') == ARGV[2] then return {'claimed'} end
  local nowMs = tonumber(ARGV[1])
  local expiresAt = tonumber(field('${f.expiry}'))
  local leaseEnd = tonumber(field('${f.leaseExpiry}'))
  local retentionPassed = expiresAt ~= nil and expiresAt * 1000 <= nowMs
  local leaseEnded = status == '${RecordStatus.InProgress}' and leaseEnd ~= nil and leaseEnd <= nowMs
  if not (retentionPassed or leaseEnded) then return record end
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], '${f.status}', '${RecordStatus.InProgress}', '${f.expiry}', ARGV[4], '${f.leaseExpiry}', ARGV[3], '${f.leaseToken}', ARGV[2])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], '${f.fingerprint}', ARGV[5]) end
redis.call('EXPIREAT', KEYS[1], ARGV[4])
return {'claimed'}
`);

/**
 * Completion, fenced. ARGV: leaseToken, expiresAtEpochSeconds, result field or '', result value. Answers 1 when the
 * record is now COMPLETED under this token (also when a resend finds its own earlier completion), 0 when the lease was lost.
 */
export const completeScript: RedisScript = redisScript(`
if redis.call('TYPE', KEYS[1])['ok'] ~= 'hash' then return 0 end
local function field(name) return redis.call('HGET', KEYS[1], name) end
if field('${f.leaseToken}') ~= ARGV[1] then return 0 end
local status = field('${f.status}')
if status == '${RecordStatus.Completed}' then return 1 end
if status ~= '${RecordStatus.InProgress}' then return 0 end
redis.call('HSET', KEYS[1], '${f.status}', '${RecordStatus.Completed}', '${f.expiry}', ARGV[2])
redis.call('HDEL', KEYS[1], '${f.leaseExpiry}')
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], ARGV[3], ARGV[4]) end
redis.call('EXPIREAT', KEYS[1], ARGV[2])
return 1
`);

/** Release, fenced. ARGV: leaseToken. Answers 1 when the key is free (deleted now, or already gone), 0 when the lease was lost. */
export const releaseScript: RedisScript = redisScript(`
local kind = redis.call('TYPE', KEYS[1])['ok']
if kind == 'none' then return 1 end
if kind ~= 'hash' then return 0 end
local function field(name) return redis.call('HGET', KEYS[1], name) end
if field('${f.status}') ~= '${RecordStatus.InProgress}' or field('${f.leaseToken}') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`);

/** Read: the record's fields, 'absent', or 'foreign' with the key's type. */
export const getScript: RedisScript = redisScript(`${readCurrent}
return current() or {'absent'}
`);
