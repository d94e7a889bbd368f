# Writes RLdata10000 of the R package RecordLinkage as docs/linking.md worked
# example 3 reads it (bench/compare, issue 17):
#
#   Rscript rldata_csv.R RecordLinkage/data/RLdata10000.rda OUT_DIR
#
# OUT_DIR/rl10k.csv: id (the row number), fname_c1, fname_c2, lname_c1,
# lname_c2, by, bm, bd (missing as empty); OUT_DIR/identity.csv: id,entity.
args <- commandArgs(trailingOnly = TRUE)
e <- new.env()
load(args[1], envir = e)
d <- e$RLdata10000
id <- seq_len(nrow(d))
write.csv(data.frame(id = id, d[, c("fname_c1", "fname_c2", "lname_c1", "lname_c2",
                                    "by", "bm", "bd")]),
          file.path(args[2], "rl10k.csv"), row.names = FALSE, na = "", quote = FALSE)
write.csv(data.frame(id = id, entity = e$identity.RLdata10000),
          file.path(args[2], "identity.csv"), row.names = FALSE, quote = FALSE)
