import { sleepInAtomic } from "../../src/rules/sleep-in-atomic.js";
import { diffOf, ruleTester } from "../helpers/rule-tester.js";

const HEADER = "static void ubuf_release_all(struct ubuf_ctx *ctx)";

ruleTester(sleepInAtomic, {
  valid: [
    {
      name: "make_dirty false under a spinlock: no page lock is taken",
      diff: diffOf("drivers/misc/ubuf.c", HEADER, [
        " 	spin_lock(&ctx->lock);",
        "+	unpin_user_pages_dirty_lock(ctx->pages, ctx->npages, false);",
        " 	spin_unlock(&ctx->lock);",
      ]),
    },
    {
      name: "the lock is dropped before the dirtying release",
      diff: diffOf("drivers/misc/ubuf.c", HEADER, [
        " 	spin_lock(&ctx->lock);",
        " 	list_del(&ctx->node);",
        " 	spin_unlock(&ctx->lock);",
        "+	unpin_user_pages_dirty_lock(ctx->pages, ctx->npages, true);",
      ]),
    },
    {
      name: "get_user_pages_fast_only() is made for atomic context",
      diff: diffOf("kernel/events/core.c", "static u64 perf_get_page_size(unsigned long addr)", [
        " 	local_irq_save(flags);",
        "+	if (get_user_pages_fast_only(addr, 1, 0, &page) == 1)",
        "+		size = page_size(page);",
        " 	local_irq_restore(flags);",
      ]),
    },
    {
      name: "extracting from a kernel-backed (bvec) iterator takes no pins and does not fault",
      diff: diffOf("drivers/misc/ubuf.c", "static ssize_t ubuf_extract(struct ubuf_ctx *ctx, struct bio_vec *bv, unsigned int n, size_t len)", [
        "+	iov_iter_bvec(&iter, ITER_SOURCE, bv, n, len);",
        "+	spin_lock(&ctx->lock);",
        "+	got = iov_iter_extract_pages(&iter, &pages, len, n, 0, &offset);",
        "+	spin_unlock(&ctx->lock);",
      ]),
    },
    {
      name: "a mutex is sleepable",
      diff: diffOf("drivers/misc/ubuf.c", HEADER, [
        " 	mutex_lock(&ctx->mutex);",
        "+	ret = pin_user_pages_fast(addr, n, FOLL_WRITE | FOLL_LONGTERM, ctx->pages);",
        " 	mutex_unlock(&ctx->mutex);",
      ]),
    },
    {
      name: "the spinlock is taken only on another branch",
      diff: diffOf("drivers/misc/ubuf.c", HEADER, [
        "+	if (fast) {",
        "+		spin_lock(&ctx->lock);",
        "+		ctx->busy = true;",
        "+		spin_unlock(&ctx->lock);",
        "+	} else {",
        "+		unpin_user_pages_dirty_lock(ctx->pages, ctx->npages, true);",
        "+	}",
      ]),
    },
  ],
  invalid: [
    {
      name: "memfd_pin_folios() under a spinlock: it allocates and migrates folios",
      diff: diffOf("drivers/misc/ubuf.c", "static long ubuf_pin_memfd(struct ubuf_ctx *ctx, struct file *memfd)", [
        "+	spin_lock(&ctx->lock);",
        "+	nr = memfd_pin_folios(memfd, 0, ctx->size - 1, ctx->folios, ctx->max_folios, &offset);",
        "+	spin_unlock(&ctx->lock);",
      ]),
      errors: [{ messageId: "underLock", line: 101 }],
    },
    {
      name: "extracting from a user-backed iterator under a spinlock: the pin can fault",
      diff: diffOf("drivers/misc/ubuf.c", "static ssize_t ubuf_extract_user(struct ubuf_ctx *ctx, void __user *ubuf, size_t len)", [
        "+	iov_iter_ubuf(&iter, ITER_DEST, ubuf, len);",
        "+	spin_lock(&ctx->lock);",
        "+	got = iov_iter_extract_pages(&iter, &pages, len, 16, 0, &offset);",
        "+	spin_unlock(&ctx->lock);",
      ]),
      errors: [{ messageId: "underLock", line: 102 }],
    },
    {
      name: "dirtying unpin under a spinlock",
      diff: diffOf("drivers/misc/ubuf.c", HEADER, [
        " 	spin_lock_irqsave(&ctx->lock, flags);",
        "+	unpin_user_pages_dirty_lock(ctx->pages, ctx->npages, ctx->writable);",
        " 	spin_unlock_irqrestore(&ctx->lock, flags);",
      ]),
      errors: [{ messageId: "underLock", line: 101 }],
    },
    {
      name: "pin_user_pages() inside an RCU read-side section",
      diff: diffOf("drivers/misc/ubuf.c", "static int ubuf_lookup_and_pin(struct ubuf_ctx *ctx, unsigned long addr)", [
        "+	rcu_read_lock();",
        "+	buf = rcu_dereference(ctx->buf);",
        "+	ret = pin_user_pages(addr, buf->npages, FOLL_WRITE, buf->pages);",
        "+	rcu_read_unlock();",
      ]),
      errors: [{ messageId: "underLock", line: 102 }],
    },
    {
      name: "dirtying unpin in a function the patch registers with call_rcu()",
      // The first hunk only adds lines, so its old count is 0 (it read -200,6,
      // which made the hunk swallow the next one).
      diff: [
        "diff --git a/arch/powerpc/mm/book3s64/iommu_api.c b/arch/powerpc/mm/book3s64/iommu_api.c",
        "--- a/arch/powerpc/mm/book3s64/iommu_api.c",
        "+++ b/arch/powerpc/mm/book3s64/iommu_api.c",
        "@@ -200,0 +200,6 @@ static void mm_iommu_unpin(struct mm_iommu_table_group_mem_t *mem)",
        "+static void mm_iommu_free(struct rcu_head *head)",
        "+{",
        "+	for (i = 0; i < mem->entries; ++i)",
        "+		unpin_user_pages_dirty_lock(&mem->hpages[i], 1, true);",
        "+}",
        "+",
        "@@ -250,2 +256,3 @@ static void mm_iommu_release(struct mm_iommu_table_group_mem_t *mem)",
        " 	list_del_rcu(&mem->next);",
        "+	call_rcu(&mem->rcu, mm_iommu_free);",
        " }",
        "",
      ].join("\n"),
      errors: [{ messageId: "inContext", line: 203 }],
    },
  ],
});
