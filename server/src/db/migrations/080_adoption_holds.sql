-- How long a need's adoption waiting for its payment (a bank transfer) holds its part of the need:
-- until reserved_until, set when it is made (adoptionHoldDays in needs/needs.ts: ten days, never
-- past the need's deadline). After that the part is open to other mentors again; the transfer, if
-- it still comes, funds the need's pool as any payment does. Null for a campaign's or a pool's
-- sponsorship. Adoptions made before this file get the same rule from their creation.
alter table sponsorships add column reserved_until timestamptz;

update sponsorships s
set reserved_until = least(s.created_at + interval '240 hours', n.deadline)
from needs n
where n.id = s.need_id;
