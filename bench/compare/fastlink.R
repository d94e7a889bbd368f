# fastLink driver for bench/compare/run.sh (issue 17): runs fastLink() as its
# README shows and writes the matched pairs as CSV (a,b: ids of the two records).
#
#   Rscript fastlink.R febrl A.csv B.csv pairs.csv [K]  # FEBRL columns, A linked to B
#                                     # K > 0: in K k-means blocks of the surname
#   Rscript fastlink.R rldata rl10k.csv pairs.csv [clusters.csv]
#                                     # RLdata10000 deduplication; clusters.csv:
#                                     # id,cluster from getMatches() (dedupe.ids)
#
# Needs fastLink on .libPaths() (R_LIBS); one core (n.cores = 1), default
# thresholds (cut.a, cut.p, threshold.match) and default dedupe.matches.
suppressPackageStartupMessages(library(fastLink))

args <- commandArgs(trailingOnly = TRUE)
mode <- args[1]

read_chr <- function(path) {
  d <- read.csv(path, colClasses = "character", strip.white = TRUE,
                na.strings = "", check.names = FALSE)
  names(d) <- trimws(names(d))
  d
}

if (mode == "febrl") {
  prep <- function(d) {
    dob <- d$date_of_birth
    d$dob_year <- substr(dob, 1, 4)
    d$dob_month <- substr(dob, 5, 6)
    d$dob_day <- substr(dob, 7, 8)
    d
  }
  a <- prep(read_chr(args[2]))
  b <- prep(read_chr(args[3]))
  link <- function(a, b) {
    out <- fastLink(
      dfA = a, dfB = b,
      varnames = c("given_name", "surname", "street_number", "address_1",
                   "suburb", "postcode", "state", "dob_year", "dob_month",
                   "dob_day", "soc_sec_id"),
      stringdist.match = c("given_name", "surname", "address_1", "suburb"),
      partial.match = c("given_name", "surname", "address_1", "suburb"),
      n.cores = 1)
    data.frame(a = a$rec_id[out$matches$inds.a],
               b = b$rec_id[out$matches$inds.b])
  }
  nclusters <- if (length(args) >= 5) as.integer(args[5]) else 0L
  if (nclusters > 0) {
    # Too many pairs for one fastLink() call: blockData() k-means blocks on
    # the surname (README, "Blocking"), fastLink() on each block.
    set.seed(1) # kmeans() starts at random centres
    blocks <- blockData(a, b, varnames = "surname", kmeans.block = "surname",
                        nclusters = nclusters, n.cores = 1)
    res <- do.call(rbind, lapply(blocks, function(blk)
      link(a[blk$dfA.inds, ], b[blk$dfB.inds, ])))
  } else {
    res <- link(a, b)
  }
  write.csv(res, args[4], row.names = FALSE, quote = FALSE)
} else if (mode == "rldata") {
  d <- read_chr(args[2])
  out <- fastLink(
    dfA = d, dfB = d,
    varnames = c("fname_c1", "fname_c2", "lname_c1", "lname_c2",
                 "by", "bm", "bd"),
    stringdist.match = c("fname_c1", "fname_c2", "lname_c1", "lname_c2"),
    partial.match = c("fname_c1", "fname_c2", "lname_c1", "lname_c2"),
    n.cores = 1)
  ia <- out$matches$inds.a
  ib <- out$matches$inds.b
  keep <- ia != ib
  res <- data.frame(a = d$id[ia[keep]], b = d$id[ib[keep]])
  write.csv(res, args[3], row.names = FALSE, quote = FALSE)
  # the tool's own grouping (README, "Finding Duplicates within a Dataset")
  if (length(args) >= 4) {
    g <- getMatches(dfA = d, dfB = d, fl.out = out)
    write.csv(data.frame(id = g$id, cluster = g$dedupe.ids), args[4],
              row.names = FALSE, quote = FALSE)
  }
} else {
  stop("mode must be febrl or rldata")
}
