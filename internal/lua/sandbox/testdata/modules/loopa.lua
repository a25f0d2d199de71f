return require "loopb"
