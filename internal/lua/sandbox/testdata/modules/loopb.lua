return require "loopa"
