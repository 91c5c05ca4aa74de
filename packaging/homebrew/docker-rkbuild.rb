# Homebrew formula for the docker CLI plugin `docker rkbuild`.
# Install from this repository with:
#   brew install --formula ./packaging/homebrew/docker-rkbuild.rb
# When publishing it in a tap, add `sha256 "<checksum of the tarball>"` after `url`.
class DockerRkbuild < Formula
  desc "Build with BuildKit: a fast drop-in for docker buildx build"
  homepage "https://github.com/rkbuild/rkbuild"
  url "https://github.com/rkbuild/rkbuild/archive/refs/tags/v0.1.0.tar.gz"
  version "0.1.0"
  license "Apache-2.0"
  head "https://github.com/rkbuild/rkbuild.git", branch: "main"

  depends_on "rust" => :build

  def install
    system "cargo", "install", *std_cargo_args(path: ".")
    (lib/"docker/cli-plugins").install_symlink bin/"docker-rkbuild"
    bash_completion.install "completions/docker-rkbuild.bash" => "docker-rkbuild"
    zsh_completion.install "completions/_docker-rkbuild"
    fish_completion.install "completions/docker-rkbuild.fish"
    man1.install Dir["packaging/man/*.1"]
  end

  def caveats
    <<~EOS
      To run it as `docker rkbuild`, let the docker CLI find the plugin, either by
      adding to ~/.docker/config.json:
        "cliPluginsExtraDirs": ["#{HOMEBREW_PREFIX}/lib/docker/cli-plugins"]
      or by linking it into your own plugin directory:
        mkdir -p ~/.docker/cli-plugins
        ln -sfn #{opt_lib}/docker/cli-plugins/docker-rkbuild ~/.docker/cli-plugins/docker-rkbuild
    EOS
  end

  test do
    assert_match "rkbuild v#{version}", shell_output("#{bin}/docker-rkbuild --version")
    assert_match "\"SchemaVersion\":\"0.1.0\"", shell_output("#{bin}/docker-rkbuild docker-cli-plugin-metadata")
  end
end
